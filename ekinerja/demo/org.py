"""Demo organisation: units, positions, employees with logins, assignments and the demo role accounts.

`generate_org` builds the whole kabupaten in memory (structure.py for its shape, people.py for the
people) and writes it with bulk.insert_rows: one executemany (SQLite) or COPY (PostgreSQL) per table
and tree level and one read-back of the new ids per table, whatever the number of employees; no
per-row queries, no model instances and no per-row `full_clean`. The data still keeps the rules the
org services enforce: every NIP passes `org.nip.parse_nip` for its status and is unique, definitif
assignments of one employee never overlap, the position tree has no cycles (parents are created before
their children), PPPK have a PPPK grade and no golongan, PNS/CPNS a golongan.

Passwords: hashing is deliberately slow, so the one demo password is hashed once and the same hash is
stored on every account; everybody can log in with it.

Deterministic: the same `rng` seed, number of employees and `today` give the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.contrib.auth.hashers import make_password

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi, User
from ekinerja.org import services as org_services
from ekinerja.org.models import Assignment, Employee, Position, Role, Unit
from ekinerja.org.nip import parse_nip

from . import people
from .bulk import insert_rows
from .structure import (
    EDU_SHARE,
    PUSKESMAS_SHARE,
    RSUD_SHARE,
    PosSpec,
    Structure,
    add_puskesmas,
    add_schools,
    apportion,
    build_core,
)

MIN_EMPLOYEES = 100

# Demo accounts: role -> username (employees tagged in structure.py; kominfo is a technical account).
ACCOUNT_USERNAMES = {
    Role.BKPSDM: "bkpsdm",
    Role.BPKAD: "bpkad",
    Role.KOMINFO: "kominfo",
    Role.PIMPINAN: "pimpinan",
    Role.ADMIN_OPD: "adminopd",
    Role.TIM_PENILAI: "timpenilai",
}
STAFF_ROLES = {Role.BKPSDM, Role.KOMINFO}  # may open the Django admin
ACCOUNT_ORDER = [
    Role.BKPSDM,
    Role.BPKAD,
    Role.KOMINFO,
    Role.PIMPINAN,
    Role.ADMIN_OPD,
    Role.TIM_PENILAI,
    Role.ATASAN,
    Role.PEGAWAI,
]

_FEMALE_SHARE = {
    "guru": 0.68,
    "perawat": 0.7,
    "bidan": 1.0,
    "gizi": 0.8,
    "apoteker": 0.7,
    "dokter": 0.55,
    "dokter_gigi": 0.7,
    "spesialis": 0.4,
    "kesmas": 0.6,
    "analis": 0.6,
    "sanitarian": 0.5,
    "satpol": 0.15,
    "teknik": 0.2,
    "it": 0.35,
}
_SENIOR = {"sekda", "eselon2", "eselon3a"}
_CPNS_LEVELS = {"pertama", "terampil", "pelaksana5", "pelaksana6", "pelaksana7"}


@dataclass
class DemoAccount:
    role: str
    username: str
    name: str
    position: str


@dataclass
class OrgSummary:
    units: int = 0
    opd: int = 0
    positions: int = 0
    employees: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    assignments: int = 0
    vacant_positions: int = 0
    plt: int = 0
    plh: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(eq=False)
class _Person:
    spec: PosSpec
    status: str
    sex: str = ""
    name: str = ""
    identity: people.Identity | None = None
    golongan: str = ""
    pppk_grade: str = ""
    front: str = ""
    back: str = ""
    salary: object = None
    contact: dict = field(default_factory=dict)
    start: dt.date | None = None
    history: PosSpec | None = None  # an earlier definitif post, ended the day before `start`
    username: str = ""
    employee_id: int | None = None


def generate_org(
    *,
    instansi: Instansi,
    employees: int,
    rng: random.Random,
    password: str,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    **_context,
) -> OrgSummary:
    """Create the demo organisation of `instansi` with exactly `employees` employees.

    Raises ValueError (Indonesian message) below MIN_EMPLOYEES: the kabupaten's heads alone need
    about that many people.
    """
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"Jumlah pegawai minimal {MIN_EMPLOYEES} untuk Pemda contoh.")
    today = today or local_today(instansi)
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()

    structure = build_core(employees)
    plan = _plan_vacancies(structure, rng, employees)
    heads_filled = sum(1 for p in structure.positions if p.head and not p.vacant)
    budget = employees - heads_filled
    if budget < 10:
        raise ValueError(f"Jumlah pegawai minimal {MIN_EMPLOYEES} untuk Pemda contoh.")
    add_schools(structure, round(budget * EDU_SHARE))
    add_puskesmas(structure, round(budget * PUSKESMAS_SHARE))
    _fill(structure, employees)
    persons = _make_people(structure, rng, employees, today)
    say(
        f"  struktur: {len(structure.units)} unit, {len(structure.positions)} jabatan, "
        f"{len(persons)} pegawai disusun ({time.perf_counter() - t0:.1f} dtk)"
    )

    pw_hash = make_password(password)
    _save_units(structure, instansi)
    _save_positions(structure, instansi)
    say(f"  unit dan jabatan tersimpan ({time.perf_counter() - t0:.1f} dtk)")
    accounts = _save_people(structure, persons, instansi, pw_hash)
    say(f"  pegawai dan akun tersimpan ({time.perf_counter() - t0:.1f} dtk)")
    n_assign, n_plt, n_plh = _save_assignments(persons, plan, instansi, rng, today)
    say(f"  {n_assign} penempatan jabatan tersimpan ({time.perf_counter() - t0:.1f} dtk)")

    return OrgSummary(
        units=len(structure.units),
        opd=sum(1 for u in structure.units if u.parent is None),
        positions=len(structure.positions),
        employees=len(persons),
        by_status=dict(sorted(Counter(p.status for p in persons).items())),
        assignments=n_assign,
        vacant_positions=sum(1 for p in structure.positions if p.holders == 0),
        plt=n_plt,
        plh=n_plh,
        accounts=accounts,
    )


# --- planning ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    plt: list[tuple[PosSpec, PosSpec]] = field(default_factory=list)  # (vacant post, acting holder)
    plh: list[tuple[PosSpec, PosSpec]] = field(default_factory=list)  # (post, stand-in's post)


def _plan_vacancies(s: Structure, rng: random.Random, employees: int) -> _Plan:
    """Leave some heads vacant (their staff climb to the next holder), some with a Plt, and give a
    few filled posts a Plh (holder on leave)."""
    plan = _Plan()
    opds = [code for code in s.opd_heads if code in s.sekretaris]
    # Two heads of OPD vacant, their sekretaris acting (Plt).
    for code in rng.sample(opds, 2 if employees >= 300 else 1):
        s.opd_heads[code].vacant = True
        plan.plt.append((s.opd_heads[code], s.sekretaris[code]))
    kabid = [p for p in s.positions if p.tag == "kabid"]
    eselon4 = [p for p in s.positions if p.tag == "eselon4"]
    # Some kepala bidang vacant without Plt, one with another kepala bidang of the OPD as Plt.
    for p in rng.sample(kabid, max(1, round(len(kabid) * 0.05))):
        p.vacant = True
    with_peer = [
        code
        for code, posts in s.kabid.items()
        if sum(1 for p in posts if not p.vacant and p.tag == "kabid") >= 2
    ]
    if with_peer:
        code = rng.choice(sorted(with_peer))
        vacant, acting = [p for p in s.kabid[code] if not p.vacant and p.tag == "kabid"][:2]
        vacant.vacant = True
        plan.plt.append((vacant, acting))
    for p in rng.sample(eselon4, max(1, round(len(eselon4) * 0.05))):
        p.vacant = True
    # Plh: filled kepala bidang whose sekretaris stands in, and one head of OPD.
    filled = [
        p
        for p in kabid
        if not p.vacant
        and p.unit.opd.code in s.sekretaris
        and p.parent is s.opd_heads.get(p.unit.opd.code)
    ]
    for p in rng.sample(filled, min(2, len(filled))):
        plan.plh.append((p, s.sekretaris[p.unit.opd.code]))
    heads = [c for c in opds if not s.opd_heads[c].vacant]
    if heads:
        code = rng.choice(heads)
        plan.plh.append((s.opd_heads[code], s.sekretaris[code]))
    return plan


def _fill(s: Structure, employees: int) -> None:
    """How many holders each position gets: one per filled head, the rest apportioned to the pools."""
    for p in s.positions:
        p.holders = 0 if (not p.head or p.vacant) else 1
    budget = employees - sum(p.holders for p in s.positions)
    pools = [p for p in s.positions if not p.head]
    for p in pools:
        p.holders = p.minimum
    budget -= sum(p.minimum for p in pools)
    groups = {
        "edu": round(budget * EDU_SHARE),
        "puskesmas": round(budget * PUSKESMAS_SHARE),
        "rsud": round(budget * RSUD_SHARE),
    }
    groups["general"] = budget - sum(groups.values())
    for group, total in groups.items():
        members = [p for p in pools if p.budget == group]
        for p, n in zip(members, apportion(total, [p.weight for p in members]), strict=True):
            p.holders += n
    assert sum(p.holders for p in s.positions) == employees
    s.prune_empty_pools()


def _make_people(s: Structure, rng: random.Random, employees: int, today: dt.date) -> list[_Person]:
    persons = [
        _Person(spec=p, status=Employee.Status.PNS) for p in s.positions for _ in range(p.holders)
    ]
    tagged = {id(s.tagged[t]) for t in s.tagged}
    first_of_tagged: set[int] = set()
    pool_slots = []
    for i, person in enumerate(persons):
        spec = person.spec
        if id(spec) in tagged and id(spec) not in first_of_tagged:
            first_of_tagged.add(id(spec))  # the demo account's holder stays PNS
            continue
        if not spec.head:
            pool_slots.append(i)
    cpns_pool = [i for i in pool_slots if persons[i].spec.level in _CPNS_LEVELS]
    cpns = set(rng.sample(cpns_pool, min(len(cpns_pool), round(employees * 0.05))))
    rest = [i for i in pool_slots if i not in cpns]
    pppk = set(rng.sample(rest, min(len(rest), round(employees * 0.20))))
    for i in cpns:
        persons[i].status = Employee.Status.CPNS
    for i in pppk:
        persons[i].status = Employee.Status.PPPK

    taken: set[str] = set(
        User.objects.filter(username__regex=r"^[0-9]{18}$").values_list("username", flat=True)
    )
    earlier_posts: dict[int, list[PosSpec]] = {}
    for p in s.positions:
        if not p.head and p.holders:
            earlier_posts.setdefault(id(p.unit.opd), []).append(p)
    for person in persons:
        spec = person.spec
        level = people.LEVELS[spec.level]
        female = 0.25 if spec.level in _SENIOR else _FEMALE_SHARE.get(spec.profile, 0.45)
        person.sex = "P" if rng.random() < female else "L"
        person.name = people.person_name(rng, person.sex)
        ident = people.new_identity(
            rng, status=person.status, level=spec.level, sex=person.sex, today=today, taken=taken
        )
        person.identity = ident
        age = today.year - ident.birth.year
        years = today.year - ident.appointed.year
        if person.status == Employee.Status.PPPK:
            grade = level.pppk_grade or 7
            person.pppk_grade = str(grade)
        elif person.status == Employee.Status.CPNS:
            person.golongan = level.cpns_golongan or "II/a"
        else:
            person.golongan = people.golongan_for(rng, spec.level)
        person.front, person.back = people.titles_for(
            rng, spec.profile, spec.level, age, person.sex
        )
        person.salary = people.salary_for(
            rng,
            golongan=person.golongan,
            pppk_grade=int(person.pppk_grade or 0),
            years=years,
            allowance=level.allowance,
        )
        person.contact = people.contact_for(rng)
        # Current post since: a head for the last one to six years; staff since appointment or a
        # later transfer.
        if person.status in (Employee.Status.CPNS, Employee.Status.PPPK):
            person.start = ident.appointed
        else:
            lo = ident.appointed + dt.timedelta(days=365 if spec.head else 0)
            hi = today - dt.timedelta(days=30)
            if spec.head:
                lo = max(lo, today - dt.timedelta(days=6 * 365))
            lo = min(lo, hi)
            person.start = lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))
            if person.start > ident.appointed and rng.random() < 0.3:
                # An earlier post in the same OPD (a transfer or a promotion from the staff).
                candidates = earlier_posts.get(id(spec.unit.opd))
                if candidates:
                    earlier = rng.choice(candidates)
                    person.history = earlier if earlier is not spec else None
        # The NIP rule employee_save enforces (pure and cheap); tests check every other field rule.
        parse_nip(ident.nip, status=person.status, today=today)
    return persons


# --- writing -------------------------------------------------------------------------------------


def _ids(model, instansi: Instansi, key: str) -> dict[str, int]:
    """Natural key -> id of the instansi's rows (one query): how fresh rows get their ids back."""
    return dict(model.objects.filter(instansi=instansi).values_list(key, "id"))


def _save_units(s: Structure, instansi: Instansi) -> None:
    by_depth: dict[int, list] = {}
    for u in s.units:
        depth = 0
        node = u.parent
        while node is not None:
            depth += 1
            node = node.parent
        by_depth.setdefault(depth, []).append(u)
    for depth in sorted(by_depth):
        specs = by_depth[depth]
        insert_rows(
            Unit,
            [
                {
                    "instansi_id": instansi.id,
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind,
                    "parent_id": u.parent.obj if u.parent else None,
                }
                for u in specs
            ],
        )
        ids = _ids(Unit, instansi, "code")
        for u in specs:
            u.obj = ids[u.code]


def _save_positions(s: Structure, instansi: Instansi) -> None:
    """Level by level from the Sekda down, so every parent exists before its children: the tree
    cannot hold a cycle."""
    by_depth: dict[int, list[PosSpec]] = {}
    for p in s.positions:
        by_depth.setdefault(p.depth, []).append(p)
    for depth in sorted(by_depth):
        specs = by_depth[depth]
        insert_rows(
            Position,
            [
                {
                    "instansi_id": instansi.id,
                    "code": p.code,
                    "name": p.name,
                    "unit_id": p.unit.obj,
                    "kind": p.kind,
                    "kelas": p.kelas,
                    "parent_id": p.parent.obj if p.parent else None,
                }
                for p in specs
            ],
        )
        ids = _ids(Position, instansi, "code")
        for p in specs:
            p.obj = ids[p.code]


def _free_username(base: str, instansi: Instansi) -> str:
    """The plain role name for the first Pemda; suffixed with the instansi code when taken."""
    if not User.objects.filter(username=base).exists():
        return base
    return f"{base}{instansi.code}"


_TAG_ROLE = {
    "pimpinan": Role.PIMPINAN,
    "bkpsdm": Role.BKPSDM,
    "bpkad": Role.BPKAD,
    "admin_opd": Role.ADMIN_OPD,
    "tim_penilai": Role.TIM_PENILAI,
    "atasan": Role.ATASAN,
    "pegawai": Role.PEGAWAI,
}


def _save_people(
    s: Structure, persons: list[_Person], instansi: Instansi, pw_hash: str
) -> list[DemoAccount]:
    role_holder: dict[str, _Person] = {}
    for person in persons:
        role = _TAG_ROLE.get(person.spec.tag)
        if role and role not in role_holder:
            role_holder[role] = person
    usernames = {
        id(role_holder[role]): _free_username(ACCOUNT_USERNAMES[role], instansi)
        for role in role_holder
        if role in ACCOUNT_USERNAMES
    }
    staff = {id(role_holder[r]) for r in STAFF_ROLES if r in role_holder}
    for person in persons:
        person.username = usernames.get(id(person), person.identity.nip)
    kominfo_name = _free_username(ACCOUNT_USERNAMES[Role.KOMINFO], instansi)
    user_rows = [
        {
            "username": person.username,
            "password": pw_hash,
            "instansi_id": instansi.id,
            "first_name": person.name[:150],
            "last_name": "",
            "email": people.email_for(person.name, person.identity.nip),
            "is_staff": id(person) in staff,
        }
        for person in persons
    ]
    user_rows.append(
        {
            "username": kominfo_name,
            "password": pw_hash,
            "instansi_id": instansi.id,
            "first_name": "Admin Teknis",
            "last_name": "Diskominfo",
            "email": "",
            "is_staff": True,
        }
    )
    insert_rows(User, user_rows)
    user_ids = _ids(User, instansi, "username")
    insert_rows(
        Employee,
        [
            {
                "instansi_id": instansi.id,
                "nip": person.identity.nip,
                "name": person.name,
                "front_title": person.front,
                "back_title": person.back,
                "status": person.status,
                "golongan": person.golongan,
                "pppk_grade": person.pppk_grade,
                "salary": person.salary,
                "email": row["email"],
                "user_id": user_ids[person.username],
                "is_active": True,
                **person.contact,
            }
            for person, row in zip(persons, user_rows[: len(persons)], strict=True)
        ],
    )
    employee_ids = _ids(Employee, instansi, "nip")
    for person in persons:
        person.employee_id = employee_ids[person.identity.nip]

    # Role grants through the service: a handful of rows, each audited as an access change.
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[*usernames.values(), kominfo_name]
        ).select_related("instansi")
    }
    unit = Unit.objects.get(pk=s.tagged["admin_opd"].unit.opd.obj)
    for role, person in role_holder.items():
        if role in (Role.ATASAN, Role.PEGAWAI):
            continue
        org_services.role_grant(
            actor=None,
            user=users[person.username],
            role=role,
            unit=unit if role == Role.ADMIN_OPD else None,
            reason="Data contoh (demo-data)",
        )
    org_services.role_grant(
        actor=None, user=users[kominfo_name], role=Role.KOMINFO, reason="Data contoh (demo-data)"
    )

    accounts = []
    for role in ACCOUNT_ORDER:
        if role == Role.KOMINFO:
            accounts.append(
                DemoAccount(role, kominfo_name, "Admin Teknis Diskominfo", "Admin teknis")
            )
            continue
        person = role_holder.get(role)
        if person is not None:
            full_name = Employee(
                name=person.name, front_title=person.front, back_title=person.back
            ).full_name
            where = f"{person.spec.name}, {person.spec.unit.name}"
            accounts.append(DemoAccount(role, person.username, full_name, where))
    return accounts


def _save_assignments(
    persons: list[_Person], plan: _Plan, instansi: Instansi, rng: random.Random, today: dt.date
) -> tuple[int, int, int]:
    rows: list[dict] = []

    def add(employee_id, position_id, kind, start, end=None):
        rows.append(
            {
                "instansi_id": instansi.id,
                "employee_id": employee_id,
                "position_id": position_id,
                "kind": kind,
                "start": start,
                "end": end,
                "decree": _decree(rng, start, kind),
            }
        )

    holder_of: dict[int, _Person] = {}
    for person in persons:
        holder_of.setdefault(id(person.spec), person)
        if person.history is not None:
            add(
                person.employee_id,
                person.history.obj,
                Assignment.Kind.DEFINITIF,
                person.identity.appointed,
                person.start - dt.timedelta(days=1),
            )
        add(person.employee_id, person.spec.obj, Assignment.Kind.DEFINITIF, person.start)
    n_plt = n_plh = 0
    for post, acting in plan.plt:
        holder = holder_of.get(id(acting))
        if holder is not None:
            start = today - dt.timedelta(days=rng.randint(20, 200))
            add(holder.employee_id, post.obj, Assignment.Kind.PLT, start)
            n_plt += 1
    for post, standin in plan.plh:
        holder = holder_of.get(id(standin))
        if holder is not None and id(post) in holder_of:
            start = today - dt.timedelta(days=rng.randint(1, 4))
            end = start + dt.timedelta(days=rng.randint(7, 14))
            add(holder.employee_id, post.obj, Assignment.Kind.PLH, start, end)
            n_plh += 1
    insert_rows(Assignment, rows)
    return len(rows), n_plt, n_plh


def _decree(rng: random.Random, on: dt.date, kind: str) -> str:
    """A plausible decree (SK) number: BKPSDM's for definitif posts, the Sekda's for Plt/Plh."""
    if kind == Assignment.Kind.DEFINITIF:
        return f"821.2/{rng.randint(1, 999):03d}/BKPSDM/{on.year}"
    return f"800.1.3.3/{rng.randint(1, 999):03d}/SETDA/{on.year}"
