"""Factories for the whole project, one place per app section."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from ekinerja.core.models import Instansi, User
from ekinerja.org.models import Assignment, Employee, Position, RoleGrant, Unit

_serial = itertools.count(1)


def make_nip(
    birth=dt.date(1985, 5, 17), appointed=(2010, 3), sex=1, pppk=False, serial=None
) -> str:
    serial = serial if serial is not None else (next(_serial) % 999) + 1
    month = "21" if pppk else f"{appointed[1]:02d}"
    return f"{birth:%Y%m%d}{appointed[0]:04d}{month}{sex}{serial:03d}"


class InstansiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instansi
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"63{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Pemerintah Kabupaten Uji {o.code}")
    timezone = Instansi.Zone.WITA


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    instansi = factory.SubFactory(InstansiFactory)
    password = factory.PostGenerationMethodCall("set_password", "Rahasia-Kuat-2026!")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    instansi = factory.SubFactory(InstansiFactory)
    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    kind = Unit.Kind.OPD


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    instansi = factory.SelfAttribute("unit.instansi")
    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"J{n:04d}")
    name = factory.Sequence(lambda n: f"Jabatan {n}")
    kind = Position.Kind.PELAKSANA
    kelas = 7
    parent = None


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    instansi = factory.SubFactory(InstansiFactory)
    nip = factory.LazyFunction(make_nip)
    name = factory.Sequence(lambda n: f"Pegawai {n}")
    status = Employee.Status.PNS
    golongan = "III/a"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    instansi = factory.SelfAttribute("position.instansi")
    employee = factory.SubFactory(
        EmployeeFactory, instansi=factory.SelfAttribute("..position.instansi")
    )
    position = factory.SubFactory(PositionFactory)
    kind = Assignment.Kind.DEFINITIF
    start = dt.date(2020, 1, 1)
    end = None


def employee_with_login(
    instansi: Instansi, position: Position | None = None, password="Rahasia-Kuat-2026!", **kwargs
) -> Employee:
    employee = EmployeeFactory(instansi=instansi, **kwargs)
    user = User.objects.create_user(username=employee.nip, password=password, instansi=instansi)
    employee.user = user
    employee.save(update_fields=["user"])
    if position is not None:
        AssignmentFactory(position=position, employee=employee)
    return employee


def grant(user: User, role: str, unit: Unit | None = None) -> RoleGrant:
    return RoleGrant.objects.create(instansi_id=user.instansi_id, user=user, role=role, unit=unit)


# ---------------------------------------------------------------- workcal (work calendar helper)


def fixed_schedule(
    instansi: Instansi,
    code: str = "5HK",
    days: dict | None = None,
    grace_minutes: int = 0,
    use_national_holidays: bool = True,
    is_default: bool = False,
):
    """A fixed schedule; default days Mon-Thu 07:30-16:00, Fri 07:30-16:30."""
    from ekinerja.workcal.services import schedule_define

    t = dt.time
    if days is None:
        days = {d: (t(7, 30), t(16, 0)) for d in range(4)}
        days[4] = (t(7, 30), t(16, 30))
    return schedule_define(
        actor=None,
        instansi=instansi,
        code=code,
        name=f"Jadwal {code}",
        kind="fixed",
        days=days,
        grace_minutes=grace_minutes,
        use_national_holidays=use_national_holidays,
        is_default=is_default,
    )


def shift_schedule(
    instansi: Instansi, code: str = "RS", shifts: dict | None = None, grace_minutes=0
):
    """A shift schedule; default shifts P 07-14, S 14-21, M 21-07 (crosses midnight)."""
    from ekinerja.workcal.services import schedule_define

    t = dt.time
    if shifts is None:
        shifts = {"P": (t(7), t(14)), "S": (t(14), t(21)), "M": (t(21), t(7))}
    return schedule_define(
        actor=None,
        instansi=instansi,
        code=code,
        name=f"Shift {code}",
        kind="shift",
        shifts=shifts,
        grace_minutes=grace_minutes,
    )


def put_on_schedule(employee: Employee, schedule, date_from=dt.date(2020, 1, 1), date_to=None):
    from ekinerja.workcal.services import employee_schedule_assign

    return employee_schedule_assign(
        actor=None, employee=employee, schedule=schedule, date_from=date_from, date_to=date_to
    )


def holiday(
    instansi: Instansi, date: dt.date, name: str = "Libur", kind="regional", source="manual"
):
    from ekinerja.workcal.models import Holiday

    return Holiday.objects.create(instansi=instansi, date=date, name=name, kind=kind, source=source)


def moved_mid_october() -> dict:
    """Ani moves from the kasubag's section (Dinas Satu) to Dinas Dua on 16 October 2026: the
    kasubag is her superior until the 15th, the kabid of Dinas Dua from the 16th."""
    inst = InstansiFactory(timezone="Asia/Makassar")
    one = UnitFactory(instansi=inst, name="Dinas Satu")
    two = UnitFactory(instansi=inst, name="Dinas Dua")
    kasubag_post = PositionFactory(unit=one, kind=Position.Kind.STRUKTURAL, kelas=9)
    staff_one = PositionFactory(unit=one, parent=kasubag_post)
    kabid_post = PositionFactory(unit=two, kind=Position.Kind.STRUKTURAL, kelas=11)
    staff_two = PositionFactory(unit=two, parent=kabid_post)
    ani = employee_with_login(inst, staff_one, name="Ani")
    Assignment.objects.filter(employee=ani).update(end=dt.date(2026, 10, 15))
    AssignmentFactory(employee=ani, position=staff_two, start=dt.date(2026, 10, 16))
    return {
        "inst": inst,
        "ani": ani,
        "kasubag": employee_with_login(inst, kasubag_post, name="Kasubag"),
        "kabid": employee_with_login(inst, kabid_post, name="Kabid Dua"),
    }
