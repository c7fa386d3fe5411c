"""The demo Pemda generator (`ekinerja demo-data`): deterministic, valid by the org rules, a proper
hierarchy, every listed OPD, working role accounts, and a query count that does not grow with size."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ekinerja.core.models import AuditEvent, Instansi, User
from ekinerja.demo.org import MIN_EMPLOYEES, generate_org
from ekinerja.demo.runner import DEMO_PASSWORD, demo_generate
from ekinerja.org.models import Assignment, Employee, Position, RoleGrant, Unit
from ekinerja.org.nip import parse_nip
from ekinerja.org.selectors import active_on, hierarchy, user_roles
from ekinerja.org.services import validate_employee

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
CODE = "6306"


def generate(employees=200, seed=2026, code=CODE):
    """The org generator alone (the other apps' generators have their own tests)."""
    return demo_generate(
        code=code,
        employees=employees,
        seed=seed,
        password=DEMO_PASSWORD,
        today=TODAY,
        generators=[("org", generate_org)],
    )


@pytest.fixture
def demo():
    return generate()


class _Rollback(Exception):
    pass


def _generate_and_forget(employees: int, seed: int) -> list[tuple]:
    """What one run produces, then rolled back so the next run starts from the same empty database."""
    rows: list[tuple] = []
    try:
        with transaction.atomic():
            generate(employees=employees, seed=seed)
            rows = list(
                Employee.objects.order_by("nip").values_list(
                    "nip",
                    "name",
                    "front_title",
                    "back_title",
                    "status",
                    "golongan",
                    "pppk_grade",
                    "salary",
                    "bank_account",
                    "assignments__position__code",
                    "assignments__kind",
                    "assignments__start",
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return rows


def test_same_seed_and_size_give_the_same_people_and_another_seed_does_not():
    first = _generate_and_forget(150, seed=7)
    again = _generate_and_forget(150, seed=7)
    other = _generate_and_forget(150, seed=8)
    assert len(first) >= 150
    assert first == again
    assert {r[0] for r in first} != {r[0] for r in other}


def test_exactly_n_employees_each_with_a_login_named_by_nip_or_role(demo):
    inst = demo.instansi
    employees = list(Employee.objects.filter(instansi=inst).select_related("user"))
    assert len(employees) == 200
    assert all(e.user is not None and e.user.instansi_id == inst.id for e in employees)
    role_names = {"bkpsdm", "bpkad", "pimpinan", "adminopd", "timpenilai"}
    assert {e.user.username for e in employees if e.user.username != e.nip} == role_names


def test_every_nip_is_valid_for_its_status_and_unique(demo):
    employees = list(Employee.objects.filter(instansi=demo.instansi))
    for e in employees:
        validate_employee(e, today=TODAY)  # the rules employee_save enforces
        info = parse_nip(e.nip, status=e.status, today=TODAY)
        assert info.is_pppk == (e.status == Employee.Status.PPPK)
    assert len({e.nip for e in employees}) == len(employees)


def test_status_mix_and_grades_are_plausible():
    generate(employees=400)
    employees = list(Employee.objects.all())
    share = {s: sum(e.status == s for e in employees) / len(employees) for s in Employee.Status}
    assert 0.70 <= share["PNS"] <= 0.80
    assert 0.03 <= share["CPNS"] <= 0.07
    assert 0.17 <= share["PPPK"] <= 0.23
    for e in employees:
        if e.status == Employee.Status.PPPK:
            assert e.nip[12:14] == "21" and e.pppk_grade and not e.golongan
        else:
            assert e.golongan and not e.pppk_grade
        assert e.salary > 1_500_000 and e.npwp and e.bank_account and e.phone.startswith("08")
        info = parse_nip(e.nip, status=e.status, today=TODAY)
        if e.status != Employee.Status.PPPK:  # CPNS are appointed between 21 and 35
            assert 20 <= info.appointment_year - info.birth_date.year <= 36, e.nip
    # golongan follows the level of the post: the Sekda is IV/c or IV/d, CPNS start at entry level.
    sekda = Assignment.objects.get(position__name="Sekretaris Daerah", kind="definitif").employee
    assert sekda.golongan in ("IV/c", "IV/d")
    assert {e.golongan for e in employees if e.status == "CPNS"} <= {"II/a", "II/c", "III/a"}


def test_definitif_assignments_of_one_employee_never_overlap(demo):
    by_employee = defaultdict(list)
    for a in Assignment.objects.filter(instansi=demo.instansi, kind=Assignment.Kind.DEFINITIF):
        by_employee[a.employee_id].append(a)
    assert any(len(rows) > 1 for rows in by_employee.values()), "some have a history"
    for rows in by_employee.values():
        rows.sort(key=lambda a: a.start)
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert earlier.end is not None and earlier.end < later.start
    # and every employee holds exactly one definitif post today
    current = Assignment.objects.filter(
        active_on(TODAY), instansi=demo.instansi, kind=Assignment.Kind.DEFINITIF
    )
    assert current.count() == current.values("employee").distinct().count() == 200


def test_position_tree_has_one_root_the_sekda_and_no_cycles(demo):
    parent = dict(Position.objects.filter(instansi=demo.instansi).values_list("id", "parent_id"))
    roots = [p for p, par in parent.items() if par is None]
    assert [Position.objects.get(pk=r).name for r in roots] == ["Sekretaris Daerah"]
    for pos in parent:
        seen = set()
        while pos is not None:
            assert pos not in seen
            seen.add(pos)
            pos = parent[pos]
    units = dict(Unit.objects.filter(instansi=demo.instansi).values_list("id", "parent_id"))
    assert all(par is None or par in units for par in units.values())


def test_every_employee_but_the_sekda_has_a_direct_superior(demo):
    h = hierarchy(demo.instansi, TODAY)
    ids = list(Employee.objects.filter(instansi=demo.instansi).values_list("id", flat=True))
    without = [e for e in ids if h.superior_id(e) is None]
    sekda = Assignment.objects.get(
        instansi=demo.instansi, position__parent__isnull=True, kind="definitif"
    ).employee_id
    assert without == [sekda]


def test_vacancies_plt_and_plh_are_present_and_the_superior_climbs(demo):
    inst = demo.instansi
    h = hierarchy(inst, TODAY)
    active = Assignment.objects.filter(active_on(TODAY), instansi=inst)
    assert active.filter(kind=Assignment.Kind.PLT).exists()
    assert active.filter(kind=Assignment.Kind.PLH).exists()
    held = set(active.values_list("position_id", flat=True))
    vacant = set(
        Position.objects.filter(instansi=inst).exclude(id__in=held).values_list("id", flat=True)
    )
    assert vacant, "some posts are vacant"
    # Someone sits right below a vacant post: their superior is found higher up.
    climbed = [
        emp
        for emp, pos in h.definitif.items()
        if h.parent.get(pos) in vacant and h.superior_id(emp) is not None
    ]
    assert climbed
    # A Plt in a vacant head-of-OPD post is the superior of that OPD's kepala bidang.
    plt = active.filter(kind=Assignment.Kind.PLT, position__parent__parent__isnull=True).first()
    assert plt is not None
    below = Position.objects.filter(parent=plt.position, name__startswith="Kepala Bidang")
    for a in active.filter(position__in=below, kind="definitif"):
        assert h.superior_id(a.employee_id) in (plt.employee_id, h.holder(a.position_id))


EXPECTED_OPD = [
    "Sekretariat Daerah",
    "Sekretariat Dewan Perwakilan Rakyat Daerah",
    "Inspektorat Daerah",
    "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Dinas Komunikasi dan Informatika",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Sosial",
    "Satuan Polisi Pamong Praja dan Pemadam Kebakaran",
]


def test_all_listed_opd_exist_with_schools_hospital_puskesmas_and_kecamatan(demo):
    units = list(Unit.objects.filter(instansi=demo.instansi).select_related("parent"))
    opd = {u.name for u in units if u.parent is None}
    assert set(EXPECTED_OPD) <= opd
    assert sum(n.startswith("Kecamatan ") for n in opd) >= 2
    subs = defaultdict(set)
    for u in units:
        if u.parent is not None:
            subs[u.parent.name].add(u.name)
    assert any(n.startswith("SD Negeri") for n in subs["Dinas Pendidikan dan Kebudayaan"])
    assert any(n.startswith("SMP Negeri") for n in subs["Dinas Pendidikan dan Kebudayaan"])
    assert any(n.startswith("RSUD") for n in subs["Dinas Kesehatan"])
    assert any(n.startswith("Puskesmas") for n in subs["Dinas Kesehatan"])
    assert any(n.startswith("Bagian ") for n in subs["Sekretariat Daerah"])
    # Teachers in schools, doctors and nurses in health units, kelas as the brief of each level.
    positions = list(Position.objects.filter(instansi=demo.instansi).select_related("unit"))
    kelas = {p.name: p.kelas for p in positions}
    assert kelas["Sekretaris Daerah"] == 15
    assert kelas["Kepala Dinas Pendidikan dan Kebudayaan"] == 14
    assert kelas["Sekretaris"] == 12
    assert kelas["Kepala Bidang Pembinaan Sekolah Dasar"] == 11
    assert any(p.name.startswith("Guru Ahli") and p.unit.name.startswith("SD") for p in positions)
    assert any(p.name.startswith(("Perawat", "Bidan")) for p in positions)
    for p in positions:
        assert {"struktural": 8, "fungsional": 7, "pelaksana": 5}[p.kind] <= p.kelas <= 15


def test_at_600_employees_every_opd_exists():
    generate(employees=600)
    opd = set(Unit.objects.filter(parent__isnull=True).values_list("name", flat=True))
    assert set(EXPECTED_OPD) <= opd
    assert {"Badan Pendapatan Daerah", "Dinas Pertanian"} <= opd
    assert sum(n.startswith("Kecamatan ") for n in opd) == 11
    assert Employee.objects.count() == 600


def _login_works(client, username: str) -> bool:
    ok = client.login(username=username, password=DEMO_PASSWORD)
    client.logout()
    return ok


def test_role_accounts_have_their_grants_and_can_log_in(demo, client):
    accounts = {a.role: a for a in demo.accounts}
    assert list(accounts) == [
        "bkpsdm",
        "bpkad",
        "kominfo",
        "pimpinan",
        "admin_opd",
        "tim_penilai",
        "atasan",
        "pegawai",
    ]
    for role, account in accounts.items():
        user = User.objects.get(username=account.username)
        assert user.instansi_id == demo.instansi.id
        assert _login_works(client, account.username), role
        roles = user_roles(User.objects.get(pk=user.pk))
        assert role in roles, (role, roles)
        assert user.is_staff == (role in ("bkpsdm", "kominfo")), role
    granted = set(RoleGrant.objects.values_list("user__username", "role", "unit__name"))
    assert granted == {
        ("bkpsdm", "bkpsdm", None),
        ("bpkad", "bpkad", None),
        ("kominfo", "kominfo", None),
        ("pimpinan", "pimpinan", None),
        ("adminopd", "admin_opd", "Dinas Pendidikan dan Kebudayaan"),
        ("timpenilai", "tim_penilai", None),
    }
    # The plain employee is nobody's superior, and their superior is the demo atasan.
    pegawai = Employee.objects.get(user__username=accounts["pegawai"].username)
    atasan = Employee.objects.get(user__username=accounts["atasan"].username)
    h = hierarchy(demo.instansi, TODAY)
    assert h.superior_id(pegawai.id) == atasan.id
    assert h.subordinate_ids(pegawai.id) == []
    assert not User.objects.filter(username="kominfo", employee__isnull=False).exists()
    assert not _login_works(client, "kominfo-typo")


def test_one_audit_event_summarises_the_run_without_the_password(demo):
    events = AuditEvent.objects.filter(action="demo.generate")
    assert events.count() == 1
    event = events.get()
    assert event.instansi_id == demo.instansi.id
    assert event.after["summaries"]["org"]["employees"] == 200
    assert DEMO_PASSWORD not in str(event.after)


def test_command_with_if_empty_does_nothing_on_the_second_run():
    out = io.StringIO()
    call_command("demo-data", "--employees", "150", "--if-empty", stdout=out)
    first = out.getvalue()
    assert "Akun contoh" in first and "bkpsdm" in first and DEMO_PASSWORD in first
    counts = (Employee.objects.count(), Position.objects.count(), Assignment.objects.count())
    assert counts[0] == 150
    inst = Instansi.objects.get(code=CODE)
    assert inst.name == "Pemerintah Kabupaten Hulu Sungai Selatan"
    assert inst.timezone == Instansi.Zone.WITA

    out = io.StringIO()
    call_command("demo-data", "--employees", "300", "--if-empty", stdout=out)
    second = out.getvalue()
    assert "sudah ada" in second and "bkpsdm" in second and DEMO_PASSWORD in second
    assert (
        Employee.objects.count(),
        Position.objects.count(),
        Assignment.objects.count(),
    ) == counts
    assert AuditEvent.objects.filter(action="demo.generate").count() == 1

    with pytest.raises(CommandError, match="sudah ada"):
        call_command("demo_data", "--employees", "150", stdout=io.StringIO())


def test_another_instansi_code_gets_its_own_accounts():
    generate(employees=150)
    result = generate(employees=150, code="6307")
    names = {a.role: a.username for a in result.accounts}
    assert names["bkpsdm"] == "bkpsdm6307" and names["kominfo"] == "kominfo6307"
    assert Employee.objects.filter(instansi=result.instansi).count() == 150
    assert User.objects.count() == 2 * 151


@pytest.mark.parametrize(
    "args, message",
    [
        (["--password", "pendek"], "Kata sandi ditolak"),
        (["--password", "password1234"], "Kata sandi ditolak"),
        (["--employees", str(MIN_EMPLOYEES - 1)], "minimal"),
    ],
)
def test_bad_options_are_refused_and_write_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo-data", *args, stdout=io.StringIO())
    assert not Instansi.objects.exists()
    assert not User.objects.exists()
    assert not Employee.objects.exists()


def test_query_count_does_not_grow_with_the_number_of_employees():
    counts = []
    for n, code in ((150, "6301"), (450, "6302"), (900, "6303")):
        with CaptureQueriesContext(connection) as ctx:
            generate(employees=n, code=code)
        counts.append(len(ctx.captured_queries))
    # One executemany/COPY per table and tree level, one read-back per table, a few role grants.
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[0] < 150


def test_only_runs_the_named_generators_after_org():
    out = io.StringIO()
    call_command("demo-data", "--employees", "150", "--only", "org", stdout=out)
    assert "org selesai" in out.getvalue()
    event = AuditEvent.objects.get(action="demo.generate")
    assert list(event.after["summaries"]) == ["org"]
    with pytest.raises(CommandError, match="tidak dikenal"):
        call_command("demo-data", "--instansi-code", "6307", "--only", "gaji", stdout=io.StringIO())


def test_demo_accounts_with_the_published_password_are_refused_on_production_settings(settings):
    """The README prints the demo password: on a production installation its BKPSDM account would
    be anyone's. A password of one's own is accepted (a training server)."""
    settings.SETTINGS_MODULE = "ekinerja.settings.production"
    with pytest.raises(CommandError, match="--password"):
        call_command("demo-data", "--employees", "30", stdout=io.StringIO())
    assert not Instansi.objects.exists()
