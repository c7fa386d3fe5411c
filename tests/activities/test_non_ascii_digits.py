"""Values with digits other than ASCII ones ("²", "١٢٣"): str.isdigit() takes them and int() does
not, so a hand-edited query or form value ended in a server error; a bank account or NPWP written
with them passed validation and would have reached the bank's transfer file."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ekinerja.org.nip import NipError, parse_nip
from ekinerja.org.validation import employee_validate

from .conftest import D, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def _client(user):
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def test_the_inbox_and_bulk_verification_ignore_such_ids(office):
    entry = make_entry(office, day=D(2026, 10, 8), submit=True)
    c = _client(office["p"]["kasubag"].user)
    response = c.get(reverse("activities:inbox") + "?pegawai=%C2%B2")
    assert response.status_code == 200 and office["p"]["ani"].name in response.content.decode()
    response = c.post(
        reverse("activities:verify-bulk"), {"entries": ["²", str(entry.pk)], "decision": "approve"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "approved"


def test_a_nip_bank_account_or_npwp_in_other_digits_is_refused(office):
    with pytest.raises(NipError):
        parse_nip("١٩٨٥٠٥١٧٢٠١٠٠٣١٠٠٨")
    ani = office["p"]["ani"]
    ani.bank_account = "١٢٣٤٥٦"
    ani.npwp = "²²"
    with pytest.raises(ValidationError) as err:
        employee_validate(ani)
    assert set(err.value.message_dict) >= {"bank_account", "npwp"}
