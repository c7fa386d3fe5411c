"""Review: BKPSDM of one Pemda imports another's exported rules (`exchange export/import`) more than
once. The catalog and schedules were already skipped the second time; the policies came back as a
second (third...) set of identical drafts, so the policy list filled with copies nobody could tell
apart."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.core.management import call_command

from ekinerja.exchange.document import read_document
from ekinerja.exchange.services import exchange_export, exchange_import
from ekinerja.tpp import services
from ekinerja.tpp.models import Policy
from ekinerja.tpp.policy import madiun_template
from tests.factories import InstansiFactory, UserFactory, grant
from tests.tpp.data import make_pemda

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def source():
    p = make_pemda()  # HSS adopted from 1 January 2026
    madiun = services.policy_save(
        actor=p.bkpsdm1, instansi=p.inst, data=madiun_template("2027-01-01")
    )
    services.policy_adopt(actor=p.bkpsdm1, policy=madiun)
    return p


def _drafts(instansi) -> list[tuple[str, str]]:
    return sorted(
        (str(d), s)
        for d, s in Policy.objects.filter(instansi=instansi).values_list("effective_from", "status")
    )


def test_importing_the_same_file_twice_makes_no_second_set_of_drafts(source, tmp_path, capsys):
    target = InstansiFactory(code="7371")
    out = tmp_path / "aturan.json"
    call_command("exchange", "export", "--instansi", source.inst.code, "--out", str(out))
    call_command("exchange", "import", str(out), "--instansi", "7371")
    assert "Kebijakan (draf): 2;" in capsys.readouterr().out
    assert _drafts(target) == [("2026-01-01", "draft"), ("2027-01-01", "draft")]

    call_command("exchange", "import", str(out), "--instansi", "7371")
    said = capsys.readouterr().out
    assert "Kebijakan (draf): 0;" in said
    assert (
        "dilewati: kebijakan 'Pola Madiun TPP + UKK' berlaku mulai 1 Januari 2027 sudah ada "
        "sebagai draf dengan isi yang sama" in said
    )
    assert _drafts(target) == [("2026-01-01", "draft"), ("2027-01-01", "draft")]


def test_an_adopted_copy_is_skipped_and_a_changed_version_still_arrives(source):
    target = InstansiFactory(code="7371")
    bkpsdm = UserFactory(instansi=target, username="bkpsdm_manado")
    grant(bkpsdm, "bkpsdm")
    exported = exchange_export(instansi=source.inst, parts=("policy",))
    exchange_import(actor=bkpsdm, instansi=target, doc=read_document(exported), today=TODAY)
    hss = Policy.objects.get(instansi=target, effective_from=dt.date(2026, 1, 1))
    services.policy_adopt(actor=bkpsdm, policy=hss)

    # The source revises its 2027 version (UKK's kelas 9 base): the revised one is new here.
    changed = copy.deepcopy(exported)
    changed["policies"][1]["allowances"][1]["base_by_class"]["9"] += 100_000
    summary = exchange_import(
        actor=bkpsdm,
        instansi=target,
        doc=read_document(json.loads(json.dumps(changed))),
        today=TODAY,
    )
    assert summary.policies == 1
    assert summary.skipped == [
        "kebijakan 'Pola HSS 30/50/20 (Perbup 39/2018)' berlaku mulai 1 Januari 2026 sudah ada "
        "sebagai kebijakan yang berlaku dengan isi yang sama"
    ]
    assert _drafts(target) == [
        ("2026-01-01", "adopted"),
        ("2027-01-01", "draft"),
        ("2027-01-01", "draft"),
    ]
    # Nothing of the source instansi changed.
    assert _drafts(source.inst) == [("2026-01-01", "adopted"), ("2027-01-01", "adopted")]
