"""Holiday seeding and editing, schedules, employee schedules and the roster."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ekinerja.core.models import AuditEvent
from ekinerja.workcal import services
from ekinerja.workcal.models import EmployeeSchedule, Holiday, ShiftRoster, WorkSchedule
from tests.factories import (
    EmployeeFactory,
    InstansiFactory,
    fixed_schedule,
    put_on_schedule,
    shift_schedule,
)

pytestmark = pytest.mark.django_db
D = dt.date
T = dt.time


@pytest.fixture
def inst():
    return InstansiFactory(code="6301")


def test_seed_adds_national_holidays_and_cuti_bersama_in_indonesian(inst):
    added = services.holidays_seed(actor=None, instansi=inst, year=2026)
    rows = Holiday.objects.filter(instansi=inst)
    assert added == rows.count() > 20
    assert rows.get(date=D(2026, 8, 17)).kind == Holiday.Kind.NATIONAL
    assert "Kemerdekaan" in rows.get(date=D(2026, 8, 17)).name
    natal_cb = rows.get(date=D(2026, 12, 24))
    assert natal_cb.kind == Holiday.Kind.CUTI_BERSAMA and natal_cb.name.startswith("Cuti Bersama")
    assert set(rows.values_list("source", flat=True)) == {Holiday.Source.SEEDED}
    assert AuditEvent.objects.filter(action="workcal.holiday.seed").count() == 1


def test_seed_is_idempotent_and_does_not_restore_removed_rows(inst):
    services.holidays_seed(actor=None, instansi=inst, year=2026)
    n = Holiday.objects.count()
    independence = Holiday.objects.get(date=D(2026, 8, 17))
    services.holiday_delete(actor=None, holiday=independence, reason="uji")
    assert services.holidays_seed(actor=None, instansi=inst, year=2026) == 0
    assert Holiday.objects.count() == n
    assert not Holiday.objects.get(pk=independence.pk).is_active


def test_command_seeds_one_or_all_instansi(inst, capsys):
    other = InstansiFactory(code="7101")
    call_command("holidays-seed", "--year", "2026", "--instansi", "6301")
    assert Holiday.objects.filter(instansi=inst).exists()
    assert not Holiday.objects.filter(instansi=other).exists()
    call_command("holidays-seed", "--year", "2026")
    assert (
        Holiday.objects.filter(instansi=other).count()
        == Holiday.objects.filter(instansi=inst).count()
    )
    assert "0 hari libur" in capsys.readouterr().out  # 6301 the second time


def test_command_refuses_unknown_instansi(inst):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("holidays-seed", "--year", "2026", "--instansi", "9999")


def test_manual_holiday_and_duplicate_refused(inst):
    h = services.holiday_create(
        actor=None, instansi=inst, date=D(2026, 10, 20), name="Hari Jadi", kind="regional"
    )
    assert h.source == Holiday.Source.MANUAL
    with pytest.raises(ValidationError) as exc:
        services.holiday_create(
            actor=None, instansi=inst, date=D(2026, 10, 20), name="Hari Jadi", kind="regional"
        )
    assert "sudah ada" in str(exc.value.message_dict["name"])
    with pytest.raises(ValidationError) as exc:
        services.holiday_create(
            actor=None, instansi=inst, date=D(2026, 10, 21), name=" ", kind="regional"
        )
    assert "name" in exc.value.message_dict
    assert Holiday.objects.count() == 1


def test_moving_a_seeded_holiday_keeps_the_original_removed(inst):
    services.holidays_seed(actor=None, instansi=inst, year=2026)
    cb = Holiday.objects.get(date=D(2026, 12, 24))
    moved = services.holiday_update(
        actor=None,
        holiday=cb,
        date=D(2026, 12, 26),
        name=cb.name,
        kind=cb.kind,
        reason="SKB revisi",
    )
    assert moved.pk != cb.pk and moved.source == Holiday.Source.MANUAL and moved.is_active
    assert not Holiday.objects.get(pk=cb.pk).is_active
    assert services.holidays_seed(actor=None, instansi=inst, year=2026) == 0
    actions = list(
        AuditEvent.objects.filter(action__startswith="workcal.holiday.").values_list(
            "action", flat=True
        )
    )
    assert "workcal.holiday.delete" in actions and "workcal.holiday.create" in actions


def test_changing_the_kind_of_a_seeded_holiday_keeps_it_seeded(inst):
    services.holidays_seed(actor=None, instansi=inst, year=2026)
    h = Holiday.objects.get(date=D(2026, 12, 24))
    out = services.holiday_update(actor=None, holiday=h, date=h.date, name=h.name, kind="national")
    assert out.pk == h.pk and out.kind == "national" and out.source == "seeded"


def test_deleting_a_manual_holiday_removes_it_and_restore_brings_back_seeded(inst):
    h = services.holiday_create(
        actor=None, instansi=inst, date=D(2026, 10, 20), name="Hari Jadi", kind="regional"
    )
    services.holiday_delete(actor=None, holiday=h)
    assert not Holiday.objects.filter(pk=h.pk).exists()
    services.holidays_seed(actor=None, instansi=inst, year=2026)
    s = Holiday.objects.get(date=D(2026, 8, 17))
    services.holiday_delete(actor=None, holiday=s)
    services.holiday_restore(actor=None, holiday=s)
    assert Holiday.objects.get(pk=s.pk).is_active


def test_recreating_a_removed_seeded_holiday_reactivates_it(inst):
    services.holidays_seed(actor=None, instansi=inst, year=2026)
    s = Holiday.objects.get(date=D(2026, 8, 17))
    services.holiday_delete(actor=None, holiday=s)
    again = services.holiday_create(
        actor=None, instansi=inst, date=s.date, name=s.name, kind="national"
    )
    assert again.pk == s.pk and again.is_active


def test_only_one_default_schedule_per_instansi(inst):
    a = fixed_schedule(inst, code="A", is_default=True)
    b = fixed_schedule(inst, code="B", is_default=True)
    a.refresh_from_db()
    assert not a.is_default and b.is_default
    assert WorkSchedule.objects.filter(instansi=inst, is_default=True).count() == 1


def test_schedule_definition_is_validated(inst):
    with pytest.raises(ValidationError):
        services.schedule_define(
            actor=None, instansi=inst, code="X", name="X", kind="fixed", days={}
        )
    with pytest.raises(ValidationError):
        services.schedule_define(
            actor=None, instansi=inst, code="X", name="X", kind="fixed", days={7: (T(8), T(9))}
        )
    with pytest.raises(ValidationError):
        services.schedule_define(
            actor=None, instansi=inst, code="X", name="X", kind="shift", shifts={"P": (T(8), T(8))}
        )
    assert not WorkSchedule.objects.exists()


def test_schedule_texts_longer_than_their_columns_are_refused_every_problem_at_once(inst):
    """PostgreSQL refuses an overlong text with a database error (SQLite stores it whole); the
    service names each field instead (the rules exchange import applies too)."""
    with pytest.raises(ValidationError) as exc:
        services.schedule_define(
            actor=None,
            instansi=inst,
            code="K" * 21,
            name="N" * 201,
            kind="shift",
            shifts={"PAGI-PANJANG": (T(7), T(15)), " ": (T(15), T(23)), "M": (T(23), T(23))},
        )
    assert exc.value.message_dict == {
        "code": ["Kode jadwal paling panjang 20 karakter; diisi 21."],
        "name": ["Nama jadwal paling panjang 200 karakter; diisi 201."],
        "shifts": [
            "Kode shift PAGI-PANJANG paling panjang 10 karakter; diisi 12.",
            "Kode shift wajib diisi.",
            "Shift M: jam masuk dan pulang tidak boleh sama.",
        ],
    }
    assert not WorkSchedule.objects.exists()


def test_a_holiday_name_longer_than_its_column_is_refused(inst):
    with pytest.raises(ValidationError) as exc:
        services.holiday_create(
            actor=None, instansi=inst, date=D(2026, 10, 21), name="H" * 201, kind="regional"
        )
    assert exc.value.message_dict == {
        "name": ["Nama hari libur paling panjang 200 karakter; diisi 201."]
    }
    h = services.holiday_create(
        actor=None, instansi=inst, date=D(2026, 10, 21), name="H" * 200, kind="regional"
    )
    with pytest.raises(ValidationError) as exc:
        services.holiday_update(
            actor=None, holiday=h, date=h.date, name=" " + "H" * 201, kind="regional"
        )
    assert list(exc.value.message_dict) == ["name"]
    assert Holiday.objects.get().name == "H" * 200


def test_employee_schedules_may_not_overlap(inst):
    emp = EmployeeFactory(instansi=inst)
    a, b = fixed_schedule(inst, code="A"), fixed_schedule(inst, code="B")
    put_on_schedule(emp, a, D(2026, 1, 1))
    with pytest.raises(ValidationError) as exc:
        put_on_schedule(emp, b, D(2026, 6, 1))
    assert "Tumpang tindih" in str(exc.value)
    services.employee_schedule_assign(
        actor=None, employee=emp, schedule=b, date_from=D(2026, 6, 1), close_open=True
    )
    periods = list(
        EmployeeSchedule.objects.filter(employee=emp)
        .order_by("date_from")
        .values_list("date_to", flat=True)
    )
    assert periods == [D(2026, 5, 31), None]


def test_schedule_of_another_instansi_is_refused(inst):
    other = InstansiFactory(code="7101")
    emp = EmployeeFactory(instansi=inst)
    with pytest.raises(ValidationError):
        put_on_schedule(emp, fixed_schedule(other))


def test_roster_set_replaces_days_and_refuses_unknown_shifts(inst):
    rs = shift_schedule(inst)
    e1, e2 = EmployeeFactory(instansi=inst), EmployeeFactory(instansi=inst)
    services.roster_set(
        actor=None,
        instansi=inst,
        schedule=rs,
        entries=[(e1, D(2026, 10, 1), "P"), (e1, D(2026, 10, 2), "S"), (e2, D(2026, 10, 2), "M")],
    )
    # Replacing e2's 2nd must not touch e1's 2nd; None clears e1's 1st.
    services.roster_set(
        actor=None,
        instansi=inst,
        schedule=rs,
        entries=[(e2, D(2026, 10, 2), "P"), (e1, D(2026, 10, 1), None)],
    )
    got = set(ShiftRoster.objects.values_list("employee_id", "date", "shift__code"))
    assert got == {(e1.id, D(2026, 10, 2), "S"), (e2.id, D(2026, 10, 2), "P")}
    with pytest.raises(ValidationError) as exc:
        services.roster_set(
            actor=None, instansi=inst, schedule=rs, entries=[(e1, D(2026, 10, 3), "Z")]
        )
    assert "shift 'Z'" in str(exc.value)
    with pytest.raises(ValidationError):
        services.roster_set(actor=None, instansi=inst, schedule=fixed_schedule(inst), entries=[])
    other_emp = EmployeeFactory(instansi=InstansiFactory(code="7101"))
    with pytest.raises(ValidationError):
        services.roster_set(
            actor=None, instansi=inst, schedule=rs, entries=[(other_emp, D(2026, 10, 3), "P")]
        )
    assert ShiftRoster.objects.count() == 2


def test_variants_may_not_overlap(inst):
    s = fixed_schedule(inst)
    services.schedule_variant_define(
        actor=None,
        schedule=s,
        name="R1",
        date_from=D(2026, 2, 18),
        date_to=D(2026, 3, 19),
        days={0: (T(8), T(14))},
    )
    with pytest.raises(ValidationError):
        services.schedule_variant_define(
            actor=None,
            schedule=s,
            name="R2",
            date_from=D(2026, 3, 1),
            date_to=D(2026, 3, 30),
            days={0: (T(8), T(14))},
        )
