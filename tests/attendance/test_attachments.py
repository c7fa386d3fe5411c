"""Leave and correction attachments (a sick note) reach the superior through the app, only for those
allowed to see the request, never from a public media URL; their type is checked by content."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.attendance import services
from ekinerja.attendance.forms import _check_attachment
from ekinerja.attendance.models import LeaveType

D = dt.date
PDF = b"%PDF-1.4 surat keterangan dokter"


def _sick_leave(office):
    return services.leave_request_submit(
        actor=office.ani.user,
        employee=office.ani,
        leave_type=LeaveType.objects.get(instansi=office.instansi, code="sakit"),
        date_from=D(2026, 10, 5),
        date_to=D(2026, 10, 5),
        attachment=SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf"),
    )


def test_the_superior_opens_the_sick_note_from_the_inbox(client, office):
    req = _sick_leave(office)
    url = reverse("attendance:attachment", args=["cuti", req.pk])
    client.force_login(office.kepala.user)
    inbox = client.get(reverse("attendance:inbox")).content.decode()
    assert f'href="{url}"' in inbox
    resp = client.get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Cache-Control"] == "private, no-store"
    client.force_login(office.ani.user)  # the employee herself
    assert client.get(url).status_code == 200
    client.force_login(office.bkpsdm_user)
    assert client.get(url).status_code == 200


def test_a_colleague_cannot_open_it(client, office):
    req = _sick_leave(office)
    client.force_login(office.budi.user)
    assert client.get(reverse("attendance:attachment", args=["cuti", req.pk])).status_code == 404
    assert client.get(reverse("attendance:attachment", args=["lain", req.pk])).status_code == 404


def test_an_attachment_named_pdf_must_be_a_pdf():
    fake = SimpleUploadedFile("surat.pdf", b"<html>bukan pdf</html>")
    with pytest.raises(Exception, match="bukan PDF, JPG atau PNG yang sah"):
        _check_attachment(fake)
    png = SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n....")
    assert _check_attachment(png) is png and png.read(4) == b"\x89PNG"  # rewound for saving
