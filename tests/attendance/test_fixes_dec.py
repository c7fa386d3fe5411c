"""Fixes of December: a superior sees only the attendance of the employees below them (board, recap,
xlsx, month pages), and far dates (year 1, year 9999) are refused with field errors, never a 500."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.attendance import services
from ekinerja.attendance.models import CorrectionRequest, LeaveRequest, LeaveType
from ekinerja.attendance.services import leave_types_ensure
from ekinerja.core.periods import DATE_OUT_OF_RANGE
from ekinerja.org.models import Assignment, Position
from ekinerja.org.selectors import below_in_hierarchy, hierarchy
from ekinerja.workcal import calendar as wc
from tests.factories import (
    AssignmentFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    fixed_schedule,
    grant,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA, Tuesday 20 October 2026
D = dt.date


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dinas(db):
    """Kepala Dinas > two Kabid (positions in the Dinas unit); Kabid A > Kasi A (Bidang A) > staff;
    Kabid B > staff B (Bidang B). Budi moved from Bidang B to Bidang A on 15 October."""
    inst = InstansiFactory(code="6302", name="Pemerintah Kabupaten Uji", timezone="Asia/Makassar")
    dinas_unit = UnitFactory(instansi=inst, code="DISDIK", name="Dinas Pendidikan")
    bid_a = UnitFactory(instansi=inst, code="BID-A", name="Bidang A", parent=dinas_unit)
    bid_b = UnitFactory(instansi=inst, code="BID-B", name="Bidang B", parent=dinas_unit)

    def pos(unit, name, parent=None, kind=Position.Kind.STRUKTURAL):
        return PositionFactory(unit=unit, instansi=inst, name=name, parent=parent, kind=kind)

    kadis_p = pos(dinas_unit, "Kepala Dinas")
    kabid_a_p = pos(dinas_unit, "Kepala Bidang A", kadis_p)
    kabid_b_p = pos(dinas_unit, "Kepala Bidang B", kadis_p)
    kasi_a_p = pos(bid_a, "Kepala Seksi A", kabid_a_p)
    staf_a_p = pos(bid_a, "Staf A", kasi_a_p, Position.Kind.PELAKSANA)
    staf_b_p = pos(bid_b, "Staf B", kabid_b_p, Position.Kind.PELAKSANA)
    people = {
        "kadis": employee_with_login(inst, kadis_p, name="Kadis Zulkifli"),
        "kabid_a": employee_with_login(inst, kabid_a_p, name="Kabid Anwar"),
        "kabid_b": employee_with_login(inst, kabid_b_p, name="Kabid Bahri"),
        "kasi_a": employee_with_login(inst, kasi_a_p, name="Kasi Citra"),
        "staf_a": employee_with_login(inst, staf_a_p, name="Staf Dewi"),
        "staf_b": employee_with_login(inst, staf_b_p, name="Staf Eko"),
    }
    budi = employee_with_login(inst, None, name="Staf Budi Pindahan")
    AssignmentFactory(position=staf_b_p, employee=budi, end=D(2026, 10, 14))
    AssignmentFactory(position=staf_a_p, employee=budi, start=D(2026, 10, 15))
    people["budi"] = budi
    fixed_schedule(inst, is_default=True)
    leave_types_ensure(inst)
    bk = UserFactory(instansi=inst, username="bkpsdm-uji")
    grant(bk, "bkpsdm")
    return {
        "inst": inst,
        "unit": dinas_unit,
        "bid_a": bid_a,
        "p": people,
        "bkpsdm": bk,
        "pos": {"staf_a": staf_a_p},
    }


NAMES = ["Kadis Zulkifli", "Kabid Anwar", "Kabid Bahri", "Kasi Citra", "Staf Dewi", "Staf Eko"]


def _names(html: str) -> set[str]:
    return {n for n in NAMES + ["Staf Budi Pindahan"] if n in html}


# ---------------------------------------------------------------- item 1: who sees whose attendance


def test_a_kabid_sees_only_the_employees_below_them_on_the_board(client, dinas):
    client.force_login(dinas["p"]["kabid_a"].user)
    html = client.get(
        f"/kehadiran/papan/?unit={dinas['unit'].pk}&tanggal=2026-10-19"
    ).content.decode()
    table = html.split('data-testid="board-table"')[1]
    # Their Kasi, the Kasi's staff (transitively) and Budi, who moved under them on the 15th.
    assert _names(table) == {"Kabid Anwar", "Kasi Citra", "Staf Dewi", "Staf Budi Pindahan"}
    # Never the Kepala Dinas (their own superior), the other Kabid (a peer) or the peer's staff.
    assert "Kadis Zulkifli" not in table and "Kabid Bahri" not in table and "Staf Eko" not in table


def test_the_board_follows_the_hierarchy_of_the_day_shown(client, dinas):
    client.force_login(dinas["p"]["kabid_a"].user)
    html = client.get(
        f"/kehadiran/papan/?unit={dinas['unit'].pk}&tanggal=2026-10-12"
    ).content.decode()
    table = html.split('data-testid="board-table"')[1]
    assert "Staf Budi Pindahan" not in table  # still under Kabid B on the 12th
    assert "Staf Dewi" in table
    client.force_login(dinas["p"]["kabid_b"].user)
    html = client.get(
        f"/kehadiran/papan/?unit={dinas['unit'].pk}&tanggal=2026-10-12"
    ).content.decode()
    table = html.split('data-testid="board-table"')[1]
    assert _names(table) == {"Kabid Bahri", "Staf Eko", "Staf Budi Pindahan"}


def test_a_kabid_recap_and_xlsx_hold_only_the_employees_below_them(client, dinas):
    client.force_login(dinas["p"]["kabid_a"].user)
    url = f"/kehadiran/rekap/?unit={dinas['unit'].pk}&periode=2026-10"
    html = client.get(url).content.decode()
    assert "Kadis Zulkifli" not in html and "Kabid Bahri" not in html and "Staf Eko" not in html
    assert "Kasi Citra" in html and "Staf Dewi" in html
    r = client.get(url + "&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    nips = {row[1] for row in ws.iter_rows(min_row=5, values_only=True) if row[1]}
    p = dinas["p"]
    assert nips == {p["kabid_a"].nip, p["kasi_a"].nip, p["staf_a"].nip, p["budi"].nip}


def test_bkpsdm_pimpinan_and_admin_opd_still_see_the_whole_unit(client, dinas):
    client.force_login(dinas["bkpsdm"])
    html = client.get(f"/kehadiran/papan/?unit={dinas['unit'].pk}").content.decode()
    assert _names(html.split('data-testid="board-table"')[1]) >= set(NAMES)
    admin = UserFactory(instansi=dinas["inst"], username="admin-bid-a")
    grant(admin, "admin_opd", unit=dinas["bid_a"])
    client.force_login(admin)
    html = client.get(f"/kehadiran/papan/?unit={dinas['bid_a'].pk}").content.decode()
    assert _names(html.split('data-testid="board-table"')[1]) == {
        "Kasi Citra",
        "Staf Dewi",
        "Staf Budi Pindahan",
    }
    # An admin OPD of Bidang A only: asking for the Dinas gives their own unit's board.
    r = client.get(f"/kehadiran/papan/?unit={dinas['unit'].pk}")
    assert r.context["unit"] == dinas["bid_a"] and "Kadis Zulkifli" not in r.content.decode()


def test_a_kasi_sees_only_their_staff(client, dinas):
    client.force_login(dinas["p"]["kasi_a"].user)
    html = client.get(f"/kehadiran/papan/?unit={dinas['bid_a'].pk}").content.decode()
    assert _names(html.split('data-testid="board-table"')[1]) == {
        "Kasi Citra",
        "Staf Dewi",
        "Staf Budi Pindahan",
    }


def test_month_pages_follow_the_same_rule(client, dinas):
    p = dinas["p"]
    client.force_login(p["kabid_a"].user)
    for who in ("kasi_a", "staf_a", "budi"):  # below: direct and transitive
        assert client.get(f"/kehadiran/pegawai/{p[who].pk}/").status_code == 200, who
    for who in ("kadis", "kabid_b", "staf_b"):  # their superior, a peer, a peer's staff
        assert client.get(f"/kehadiran/pegawai/{p[who].pk}/").status_code == 404, who
    client.force_login(p["staf_a"].user)
    assert client.get(f"/kehadiran/pegawai/{p['kasi_a'].pk}/").status_code == 404


def test_below_in_hierarchy_never_climbs_through_an_acting_loop(dinas):
    p = dinas["p"]
    # Staf Dewi acts (Plh) as Kepala Dinas: she becomes the Kabid's superior while still being below
    # them through her definitif post. The Kabid must not see her, nor through her the whole Dinas.
    kadis_pos = p["kadis"].assignments.get().position
    Assignment.objects.create(
        instansi=dinas["inst"],
        employee=p["staf_a"],
        position=kadis_pos,
        kind=Assignment.Kind.PLH,
        start=D(2026, 10, 1),
    )
    h = hierarchy(dinas["inst"].pk, D(2026, 10, 19))
    below = below_in_hierarchy(h, p["kabid_a"].pk)
    assert p["staf_a"].pk not in below and p["kabid_b"].pk not in below
    assert p["kadis"].pk not in below and p["staf_b"].pk not in below


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_a_superior_board_and_recap_take_a_constant_number_of_queries(client, dinas):
    client.force_login(dinas["p"]["kabid_a"].user)
    board = f"/kehadiran/papan/?unit={dinas['unit'].pk}&tanggal=2026-10-19"
    recap = f"/kehadiran/rekap/?unit={dinas['unit'].pk}&periode=2026-10"
    _count(client, board)  # warm caches (content types, sessions)
    before = (_count(client, board), _count(client, recap))
    for _ in range(12):
        AssignmentFactory(position=dinas["pos"]["staf_a"])
    after = (_count(client, board), _count(client, recap))
    assert after == before
    assert max(after) <= 40


# ---------------------------------------------------------------- item 3: far dates


def test_a_leave_request_in_year_9999_is_a_field_error_not_a_500(client, dinas):
    izin = LeaveType.objects.get(instansi=dinas["inst"], code="izin")
    client.force_login(dinas["p"]["staf_a"].user)
    r = client.post(
        "/kehadiran/cuti/",
        {"leave_type": izin.pk, "date_from": "9999-12-30", "date_to": "9999-12-31"},
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert DATE_OUT_OF_RANGE in form.errors["date_from"]
    assert DATE_OUT_OF_RANGE in form.errors["date_to"]
    r = client.post(
        "/kehadiran/cuti/",
        {"leave_type": izin.pk, "date_from": "0001-01-01", "date_to": "0001-01-02"},
    )
    assert DATE_OUT_OF_RANGE in r.context["form"].errors["date_from"]
    assert not LeaveRequest.objects.exists()


def test_leave_services_refuse_far_dates(dinas):
    izin = LeaveType.objects.get(instansi=dinas["inst"], code="izin")
    staf = dinas["p"]["staf_a"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.leave_request_submit(
            actor=staf.user,
            employee=staf,
            leave_type=izin,
            date_from=D(9999, 12, 30),
            date_to=D(9999, 12, 31),
        )
    assert exc.value.message_dict == {"date_from": [DATE_OUT_OF_RANGE]}
    with pytest.raises(ValidationError):
        services.leave_record_approved(
            actor=None, employee=staf, leave_type=izin, date_from=D(1, 1, 1), date_to=D(1, 1, 2)
        )


def test_a_correction_on_year_1_is_a_field_error(client, dinas):
    client.force_login(dinas["p"]["staf_a"].user)
    r = client.post(
        "/kehadiran/koreksi/", {"date": "0001-01-01", "time": "00:00", "reason": "Mesin rusak"}
    )
    assert r.status_code == 200
    assert DATE_OUT_OF_RANGE in r.context["form"].errors["date"]
    assert not CorrectionRequest.objects.exists()


def test_the_board_on_a_far_date_falls_back_to_today(client, dinas):
    client.force_login(dinas["bkpsdm"])
    for text in ("0001-01-01", "9999-12-31"):
        r = client.get(f"/kehadiran/papan/?unit={dinas['unit'].pk}&tanggal={text}")
        assert r.status_code == 200
        assert r.context["day"] == D(2026, 10, 20)
        assert DATE_OUT_OF_RANGE in [str(m) for m in r.context["messages"]]


def test_the_work_calendar_reaches_the_last_date_without_overflow():
    sched = wc.Schedule(
        days={d: wc.Hours(dt.time(7, 30), dt.time(16)) for d in range(7)}, code="ALL"
    )
    night = wc.Schedule(days={d: wc.Hours(dt.time(22), dt.time(6)) for d in range(7)}, code="N")
    end = dt.date.max
    days = wc.employee_work_days([], sched, wc.HolidaySet(), {}, end - dt.timedelta(1), end, "UTC")
    assert [w.date for w in days] == [end - dt.timedelta(1), end]
    seg = [wc.Segment(end - dt.timedelta(1), None, night)]
    days = wc.employee_work_days(seg, sched, wc.HolidaySet(), {}, end - dt.timedelta(1), end, "UTC")
    assert [w.date for w in days] == [end - dt.timedelta(1)]  # a night shift cannot end after it


def test_a_holiday_in_year_9999_is_a_field_error(client, dinas):
    from ekinerja.workcal.models import Holiday

    client.force_login(dinas["bkpsdm"])
    r = client.post(
        "/kalender/libur/", {"date": "9999-12-31", "name": "Akhir zaman", "kind": "regional"}
    )
    assert r.status_code == 200
    assert DATE_OUT_OF_RANGE in r.context["form"].errors["date"]
    assert not Holiday.objects.filter(name="Akhir zaman").exists()
