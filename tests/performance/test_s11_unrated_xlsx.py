"""BKPSDM's xlsx of those not rated (performance.views.overview_unrated_xlsx) reads the overview's
people as plain values (selectors.Person), by id or, for many, over the whole instansi: the cells
are still every not-rated employee's and their superior's NIP and name with titles."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.org.models import Employee
from ekinerja.performance import selectors
from tests.factories import EmployeeFactory, InstansiFactory, UserFactory, grant
from tests.performance.factories import small_org

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 3)


@pytest.fixture
def titled(org):
    """Titles before and after names, as the xlsx and the page print them (Employee.full_name)."""
    Employee.objects.filter(pk=org["kabid"].pk).update(front_title="Dr.", back_title="M.Pd.")
    Employee.objects.filter(pk=org["staf2"].pk).update(back_title="S.Kom.")
    return org


def _listed(rows):
    return [
        (e.pk, e.nip, e.full_name, s.pk if s else None, s.full_name if s else None)
        for row in rows
        for e, s in row.unrated
    ]


def _expected(org):
    """(pk, nip, full name, superior pk, superior full name) from whole Employee rows."""
    kadis, kabid = (Employee.objects.get(pk=org[k].pk) for k in ("kadis", "kabid"))
    sup = {org["kadis"].pk: None, org["kabid"].pk: kadis}
    sup |= {org[k].pk: kabid for k in ("staf1", "staf2", "staf3")}
    out = []
    for emp in Employee.objects.filter(pk__in=sup).order_by("name"):
        s = sup[emp.pk]
        out.append(
            (emp.pk, emp.nip, emp.full_name, s.pk if s else None, s.full_name if s else None)
        )
    return out


def test_the_overview_lists_the_same_people_by_id_or_over_the_whole_instansi(
    org, titled, monkeypatch
):
    other = small_org(InstansiFactory())  # another Pemda's people never come in
    EmployeeFactory(instansi=org["inst"], name="Tidak Bertugas")  # in the instansi, no post
    period = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    by_id = _listed(selectors.rating_overview(org["inst"], period, today=TODAY))
    monkeypatch.setattr(selectors, "PEOPLE_IN_LIST_MAX", 0)
    whole = _listed(selectors.rating_overview(org["inst"], period, today=TODAY))
    assert by_id == whole == _expected(org)
    assert ("Dr. Ahmad Fauzi, M.Pd." in {r[4] for r in whole}) and other["kabid"].pk not in {
        r[3] for r in whole
    }


def test_the_xlsx_cells_are_the_overview_rows_with_titles_and_no_cell_for_a_missing_superior(
    client, org, titled, at
):
    at("2026-11-03 09:00")
    user = UserFactory(instansi=org["inst"])
    grant(user, "bkpsdm")
    client.force_login(user)
    resp = client.get(reverse("performance:overview-unrated-xlsx") + "?periode=2026-10")
    ws = openpyxl.load_workbook(io.BytesIO(resp.content))["Belum dinilai"]
    assert [c.value for c in ws[4]] == ["No", "Unit kerja", "NIP", "Nama", "NIP atasan", "Atasan"]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=5, max_col=6)]
    expected = [
        (
            n,
            "Dinas Pendidikan",
            nip,
            name,
            # No superior: the NIP cell is not written at all (not an empty text).
            next(e.nip for e in Employee.objects.filter(pk=sup)) if sup else None,
            sup_name or "Tidak ada (dinilai BKPSDM)",
        )
        for n, (_pk, nip, name, sup, sup_name) in enumerate(_expected(org), start=1)
    ]
    assert rows == expected
    assert ws.cell(row=5 + [r[3] for r in rows].index("Hj. Siti Rahmah"), column=5).data_type == "n"
