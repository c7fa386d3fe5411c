"""Holidays used to apply by where the row came from: a seeded row only to the fixed schedules that
follow national holidays, a row BKPSDM added or moved by hand (source `manual`) to every fixed
schedule, whatever its kind. They now apply by kind (`workcal.selectors.holiday_sets`): national
and cuti bersama only to schedules with `use_national_holidays`. A manual national holiday or cuti
bersama already stored would therefore silently stop being a day off for the schedules that opt
out, re-deriving days that were settled as holidays (stored attendance, leave counts, TPP).

Where that can happen (an instansi with a fixed schedule that does not follow national holidays),
those rows become `regional`, the kind that applies to every fixed schedule: what they did before.
Each conversion is audited; BKPSDM may set a row's kind back on the holiday page where the opted-out
schedules should work on it. Elsewhere nothing changes: every fixed schedule follows national
holidays there, so the kind makes no difference."""

from django.db import migrations

NATIONAL_KINDS = ("national", "cuti_bersama")
REASON = (
    "Migrasi: hari libur nasional/cuti bersama yang ditambahkan manual tetap berlaku untuk semua "
    "jadwal tetap seperti sebelumnya (instansi ini memiliki jadwal yang tidak mengikuti libur "
    "nasional), sehingga dicatat sebagai libur daerah."
)


def manual_national_holidays_to_regional(apps, schema_editor) -> int:
    """Convert the manual national/cuti bersama rows of every instansi having a fixed schedule
    with use_national_holidays=False to kind regional, with one audit event per row. Returns the
    number of rows converted."""
    Holiday = apps.get_model("workcal", "Holiday")
    WorkSchedule = apps.get_model("workcal", "WorkSchedule")
    AuditEvent = apps.get_model("core", "AuditEvent")
    opted_out = WorkSchedule.objects.filter(kind="fixed", use_national_holidays=False).values(
        "instansi_id"
    )
    rows = list(
        Holiday.objects.filter(
            instansi_id__in=opted_out, source="manual", kind__in=NATIONAL_KINDS
        ).order_by("pk")
    )
    if not rows:
        return 0
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="workcal.holiday.update",
                actor_label="sistem",
                instansi_id=h.instansi_id,
                object_type="workcal.Holiday",
                object_id=str(h.pk),
                object_repr=f"{h.date:%Y-%m-%d} {h.name}"[:255],
                before={"kind": h.kind},
                after={"kind": "regional"},
                reason=REASON,
            )
            for h in rows
        ]
    )
    return Holiday.objects.filter(pk__in=[h.pk for h in rows]).update(kind="regional")


def forwards(apps, schema_editor):
    manual_national_holidays_to_regional(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_user_must_change_password"),
        ("workcal", "0001_initial"),
    ]

    # Irreversible in meaning (which rows were converted is in the audit log), harmless to leave.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
