"""Loading a document writes the same rows the web app writes; kaji tiru export/import round-trips."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, UnlockRequest
from ekinerja.attendance.models import LeaveRequest, Punch
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.exchange.document import TOP_REQUIRED, read_document
from ekinerja.exchange.loader import load_document
from ekinerja.exchange.services import exchange_export, exchange_import
from ekinerja.org.models import Assignment, Employee
from ekinerja.performance.selectors import predicate_month
from ekinerja.tpp.models import Policy
from ekinerja.workcal.models import Holiday, WorkSchedule
from ekinerja.workcal.selectors import working_days
from tests.exchange.test_document import NIP, minimal
from tests.exchange.test_examples import EXAMPLES
from tests.factories import InstansiFactory

pytestmark = pytest.mark.django_db


def test_load_document_writes_every_part():
    inst = load_document(read_document(minimal()))
    emp = Employee.objects.get(instansi=inst, nip=NIP)
    assert Assignment.objects.get(employee=emp).position.code == "SEKDA"
    assert Punch.objects.get(employee=emp).at.astimezone(dt.UTC) == dt.datetime(
        2026, 9, 30, 23, 41, tzinfo=dt.UTC
    )  # 07:41 WITA
    assert LeaveRequest.objects.get(employee=emp).status == "approved"
    entry = ActivityEntry.objects.get(employee=emp)
    assert (entry.status, entry.credited_minutes) == ("approved", 60)
    assert UnlockRequest.objects.get(employee=emp).status == "approved"
    assert predicate_month([emp], Period.parse("2026-10")) == {emp.id: "baik"}
    assert Policy.objects.get(instansi=inst).status == "adopted"
    # 20 Oct is the listed regional holiday; national holidays are seeded from the package.
    assert Holiday.objects.filter(instansi=inst, date=dt.date(2026, 10, 20)).exists()
    assert Holiday.objects.filter(
        instansi=inst, kind="national", date=dt.date(2026, 8, 17)
    ).exists()
    days = working_days([emp], dt.date(2026, 10, 1), dt.date(2026, 10, 31))[emp.id]
    assert dt.date(2026, 10, 20) not in days and dt.date(2026, 10, 5) in days
    # The 5HK schedule lists only Monday and Friday in this fixture.
    assert {d.weekday() for d in days} == {0, 4}


def test_same_instansi_code_cannot_be_loaded_twice():
    doc = read_document(minimal())
    load_document(doc)
    with pytest.raises(ValueError, match="sudah ada"):
        load_document(doc)


def test_export_then_import_into_another_pemda():
    source = load_document(read_document(minimal()))
    exported = exchange_export(
        instansi=source, parts=("policy", "catalog", "schedules", "holidays")
    )
    assert [c["code"] for c in exported["activity_catalog"]] == ["A001"]
    assert {s["code"] for s in exported["schedules"]} == {"5HK", "RS"}
    target = InstansiFactory(code="6302")
    summary = exchange_import(
        actor=None, instansi=target, doc=read_document(exported), today=dt.date(2026, 11, 1)
    )
    assert (summary.policies, summary.catalog_added, summary.schedules_added) == (1, 1, 2)
    assert Policy.objects.get(instansi=target).status == "draft"  # BKPSDM adopts after review
    assert ActivityCatalogItem.objects.get(instansi=target).standard_minutes == 30
    assert WorkSchedule.objects.filter(instansi=target).count() == 2
    # Again: catalog unchanged, schedules skipped, nothing duplicated.
    again = exchange_import(
        actor=None, instansi=target, doc=read_document(exported), today=dt.date(2026, 11, 2)
    )
    assert (again.catalog_added, again.catalog_updated, again.schedules_added) == (0, 0, 0)
    assert WorkSchedule.objects.filter(instansi=target).count() == 2


def test_exchange_commands(tmp_path):
    load_document(read_document(minimal()))
    out = tmp_path / "rules.json"
    call_command(
        "exchange", "export", "--instansi", "6301", "--parts", "policy,catalog", "--out", str(out)
    )
    doc = json.loads(out.read_text())
    # A complete document (every part of the format present), the parts not chosen empty.
    assert set(doc) == set(TOP_REQUIRED)
    assert doc["schedules"] == doc["employees"] == doc["holidays"] == []
    assert len(doc["policies"]) == 1 and len(doc["activity_catalog"]) == 1
    InstansiFactory(code="6399")
    call_command("exchange", "import", str(out), "--instansi", "6399")
    assert ActivityCatalogItem.objects.filter(instansi__code="6399").count() == 1
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"format": "ekinerja/1", "instansi": {"code": "1"}, "units": [{"x": 1}]})
    )
    with pytest.raises(CommandError) as err:
        call_command("exchange", "import", str(bad), "--instansi", "6399")
    assert "$.units[0].x: kunci tidak dikenal" in str(err.value)
    assert "$.instansi.name: wajib diisi" in str(err.value)
    assert Instansi.objects.count() == 2


def test_exchange_import_takes_the_spec_s_command_line_on_a_single_instansi(tmp_path):
    """scenario-format.md: `ekinerja exchange import FILE`. An installation of one Pemda needs no
    --instansi; with several, the command asks which instead of guessing."""
    import io

    out = tmp_path / "rules.json"
    data = minimal()
    data["activity_catalog"][0]["code"] = "NEW1"  # not in the receiving catalog yet
    data["activity_catalog"][0]["name"] = "Menyusun laporan"  # nor is its name
    data["activities"] = []
    out.write_text(json.dumps(data))
    load_document(read_document({**minimal(), "activities": []}))  # the only Pemda here
    said = io.StringIO()
    call_command("exchange", "import", str(out), stdout=said)
    assert "katalog baru 1" in said.getvalue()
    assert ActivityCatalogItem.objects.filter(code="NEW1").count() == 1
    InstansiFactory(code="6400")
    with pytest.raises(CommandError) as err:
        call_command("exchange", "import", str(out))
    assert "beberapa instansi (6301, 6400); pilih dengan --instansi" in str(err.value)


def test_scenario_credits_exact_minutes_of_fractional_volumes(tmp_path):
    """tpp-rules.md: credited minutes of an entry = standard minutes x volume, unrounded."""
    data = minimal()
    entry = data["activities"][0]
    data["activities"] = [
        {**entry, "date": "2026-10-02", "volume": 0.25, "submitted_on": "2026-10-02"},  # 7.5
        {**entry, "date": "2026-10-09", "volume": 0.5, "submitted_on": "2026-10-09"},  # 15
    ]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    call_command("scenario", "run", str(scenario), "--period", "2026-10", "--out", str(out))
    (row,) = json.loads(out.read_text())["employees"]
    # Rounded entry by entry it would be 8 + 15 = 23.
    assert row["activity"]["credited_minutes"] == 22.5


def test_scenario_refuses_a_volume_it_would_have_to_round(tmp_path):
    # 30 minutes x 0.3333 = 9.999 minutes: the app keeps minutes in hundredths (0.333 -> 9.99 is
    # kept exactly, tests/exchange/test_spec_conformance.py).
    data = minimal()
    data["activities"][0]["volume"] = 0.3333
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(data))
    with pytest.raises(CommandError) as err:
        call_command(
            "scenario", "run", str(scenario), "--period", "2026-10", "--out", str(tmp_path / "r")
        )
    assert (
        "$.activities[0].volume: 30 menit x 0.3333 = 9.999 menit tidak dapat diakui tepat"
        in str(err.value)
    )
    assert not (tmp_path / "r").exists()


def _pppk(data, grade):
    data["employees"][0].update(status="PPPK", golongan=grade)
    data["sentences"] = []
    return data


def test_pppk_grade_is_the_pph21_key_and_kept_as_the_grade(tmp_path):
    """tpp-rules.md: the golongan key is the part before "/"; a PPPK's golongan is their grade."""
    inst = load_document(read_document(_pppk(minimal(), "IX")))
    emp = Employee.objects.get(instansi=inst, nip=NIP)
    assert (emp.golongan, emp.pppk_grade) == ("", "IX")  # verbatim, read back as written
    # The nurse of the national example is PPPK grade IX; its policy lists I-IV only (0% for her).
    data = json.loads((EXAMPLES / "national-40-60-shifts-plt.json").read_text())
    data["policies"][0]["pph21"]["rates"]["IX"] = 5
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    call_command("scenario", "run", str(scenario), "--period", "2026-10", "--out", str(out))
    rows = {r["nip"]: r for r in json.loads(out.read_text())["employees"]}
    nurse = rows["199203142023212003"]
    assert nurse["gross"] == 3_176_000  # as in the example (tests/exchange/test_examples.py)
    assert nurse["pph21"] == 158_800  # 5% of gross: grade IX's rate


def test_a_pppk_golongan_written_in_digits_is_its_own_pph21_key(tmp_path):
    """A PPPK golongan "9" is not the grade label "IX": tpp-rules.md's key is the part before "/",
    so "9" (a rate listed as "9" applies, one listed as "IX" does not). An audit found "9" read back
    as grade IX."""
    inst = load_document(read_document(_pppk(minimal(), "9")))
    emp = Employee.objects.get(instansi=inst, nip=NIP)
    assert (emp.golongan, emp.pppk_grade) == ("", "9")
    data = json.loads((EXAMPLES / "national-40-60-shifts-plt.json").read_text())
    nurse = next(e for e in data["employees"] if e["nip"] == "199203142023212003")
    nurse["golongan"] = "9"
    rates = data["policies"][0]["pph21"]["rates"]
    for key, pct in (("9", 5), ("IX", 15)):
        rates[key] = pct
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    call_command("scenario", "run", str(scenario), "--period", "2026-10", "--out", str(out))
    row = {r["nip"]: r for r in json.loads(out.read_text())["employees"]}["199203142023212003"]
    assert (row["gross"], row["pph21"]) == (3_176_000, 158_800)  # 5%: the rate of "9"


def test_entry_window_counts_next_years_national_holidays(tmp_path):
    """An entry of Monday 21 December 2026 (schedule: Mondays and Fridays), window 7 working days:
    25 December and 1 January are holidays, so the 7th working day is Friday 22 January 2027 (with
    1 January counted as a working day it would be Monday 18 January)."""
    data = minimal()
    entry = data["activities"][0]
    data["activities"] = [{**entry, "date": "2026-12-21", "submitted_on": "2027-01-22"}]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    call_command("scenario", "run", str(scenario), "--period", "2026-12", "--out", str(out))
    (row,) = json.loads(out.read_text())["employees"]
    assert (row["activity"]["credited_minutes"], row["activity"]["expired_entries"]) == (60, 0)


def test_scenario_month_without_a_policy_in_force_is_a_clear_error(tmp_path):
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(minimal()))  # the policy takes effect on 1 January 2026
    with pytest.raises(CommandError) as err:
        call_command(
            "scenario", "run", str(scenario), "--period", "2025-10", "--out", str(tmp_path / "r")
        )
    assert str(err.value) == "$.policies: Belum ada kebijakan TPP yang berlaku pada 1 Oktober 2025."
    assert not (tmp_path / "r").exists()


def test_command_line_mistakes_are_said_in_indonesian_before_any_work(tmp_path, capsys):
    load_document(read_document(minimal()))
    with pytest.raises(CommandError, match="Bagian tidak dikenal: foo; pilih dari"):
        call_command("exchange", "export", "--instansi", "6301", "--parts", "foo")
    with pytest.raises(CommandError, match="folder .* tidak ada"):
        call_command(
            "exchange", "export", "--instansi", "6301", "--out", str(tmp_path / "no" / "x.json")
        )
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(minimal()))
    # The result's folder is checked before the month is computed (seconds of work), not after.
    for out, words in ((tmp_path / "no" / "x.json", "tidak ada"), (tmp_path, "itu folder")):
        with pytest.raises(CommandError, match=words):
            call_command("scenario", "run", str(scenario), "--period", "2026-10", "--out", str(out))
    # The result never replaces the scenario it came from, however the path is spelled.
    before = scenario.read_bytes()
    for out in (scenario, tmp_path / "." / "s.json"):
        with pytest.raises(CommandError, match="berkas skenarionya sendiri"):
            call_command("scenario", "run", str(scenario), "--period", "2026-10", "--out", str(out))
    assert scenario.read_bytes() == before


def test_the_internal_step_of_scenario_run_is_not_offered_in_the_help(capsys):
    with pytest.raises(SystemExit):
        call_command("scenario", "--help")
    text = capsys.readouterr().out
    assert "run" in text and "_inner" not in text


@pytest.mark.django_db
def test_the_internal_step_refuses_any_database_but_its_own_throwaway_one(tmp_path, monkeypatch):
    """`scenario _inner`, called by hand, migrated and loaded a whole scenario (instansi,
    employees, a computed run) into the installation's own database."""
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(minimal()))
    out = tmp_path / "hasil.json"
    args = ("scenario", "_inner", str(scenario), "--period", "2026-10", "--out", str(out))
    before = Instansi.objects.count()
    monkeypatch.delenv("EKINERJA_SCENARIO_DB", raising=False)
    with pytest.raises(CommandError, match="hanya dijalankan oleh `ekinerja scenario run`"):
        call_command(*args)
    # Naming this database does not pass either: it is no throwaway file of `scenario run`.
    from django.db import connection

    monkeypatch.setenv("EKINERJA_SCENARIO_DB", str(connection.settings_dict["NAME"]))
    with pytest.raises(CommandError, match="hanya dijalankan"):
        call_command(*args)
    assert Instansi.objects.count() == before and not out.exists()


def test_listed_holidays_apply_without_the_national_calendar_whatever_their_kind():
    """tpp-rules.md: working days are the schedule's weekdays minus holidays (national when
    use_national_holidays, plus the listed ones): a listed 'national' or 'cuti_bersama' day is off
    even when the document does not use the national calendar."""
    from ekinerja.org.models import Employee

    doc = minimal()
    doc["use_national_holidays"] = False
    doc["holidays"] = [  # the minimal document's 5HK works on Mondays and Fridays
        {"date": "2026-10-19", "name": "Hari besar", "kind": "national"},
        {"date": "2026-10-23", "name": "Cuti bersama daerah", "kind": "cuti_bersama"},
        {"date": "2026-10-26", "name": "Hari Jadi", "kind": "regional"},
    ]
    inst = load_document(read_document(doc))
    employee = Employee.objects.get(instansi=inst)
    days = working_days([employee], dt.date(2026, 10, 19), dt.date(2026, 10, 30))[employee.id]
    assert days == [dt.date(2026, 10, 30)]
