"""The TPP calculator: one employee, one month, one policy. Pure: plain frozen dataclasses in, plain
frozen dataclasses out; no ORM, no clock.

It implements "The computation for one employee and one month" and its "Precise definitions" in
/work/shared/spec/tpp-rules.md. Where the spec leaves a choice, the choice is in
docs/tpp-calculation.md and repeated at the place in the code that makes it.

Arithmetic is exact (fractions.Fraction); figures are rounded half-up to whole rupiah with
core.money.round_rupiah only where the rules say: each component amount (never above its exact pot),
each allowance's gross, PPh 21 and the health-insurance share. The ceiling and the pots stay exact;
the result shows them rounded half-up, for display only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext
from fractions import Fraction
from typing import NamedTuple

from ekinerja.core.money import format_rupiah, round_rupiah
from ekinerja.core.periods import tanggal as _tanggal
from ekinerja.tpp.policy import (
    PREDICATES,
    STATUSES,
    Allowance,
    Band,
    LeaveType,
    Policy,
    json_number,
)

ZERO = Fraction(0)
HUNDRED = Fraction(100)

COMPONENT_LABELS = {"attendance": "kehadiran", "activity": "aktivitas", "skp": "SKP"}
PREDICATE_LABELS = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang": "Kurang",
    "sangat_kurang": "Sangat Kurang",
}


# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class PositionDay:
    """What the calculator needs of a position held on a day: its kelas jabatan and, where the
    policy sets one for this position, its own TPP base (overrides the table, allowance "tpp" only)."""

    kelas: int
    tpp_base: Decimal | None = None

    # The dataclass repr, without its guard against recursion (nothing here can contain itself):
    # the run's input digest is the repr of half a million of these days and positions.
    def __repr__(self) -> str:
        return f"PositionDay(kelas={self.kelas!r}, tpp_base={self.tpp_base!r})"


_set_attr = object.__setattr__


@dataclass(frozen=True, init=False, repr=False)
class WorkingDay:
    """One of the employee's scheduled working days (W), with the facts derived for it.

    `position` is the definitif position held that day (None: no position). `acting` are the
    positions held as Plt/Plh. `leave` is the key of the approved leave type covering the day.
    The attendance facts are the derived daily status: minutes late / early (raw, before grace),
    missing check-in / check-out, absent without notice (no punch and no leave), any punch at all.
    `credited_minutes` are the day's credited activity minutes from approved entries within the
    entry window (or covered by an approved unlock), before the daily cap."""

    date: dt.date
    position: PositionDay | None = None
    acting: tuple[PositionDay, ...] = ()
    leave: str | None = None
    late_minutes: int = 0
    early_minutes: int = 0
    missing_check_in: bool = False
    missing_check_out: bool = False
    absent: bool = False
    has_any_punch: bool = False
    credited_minutes: Decimal = Decimal(0)

    # The generated __init__ of a frozen dataclass sets each field through object.__setattr__,
    # which is most of the cost of building the half a million days of a large run; this one sets
    # them all at once. Same parameters and defaults as the fields above; still frozen.
    def __init__(
        self,
        date: dt.date,
        position: PositionDay | None = None,
        acting: tuple[PositionDay, ...] = (),
        leave: str | None = None,
        late_minutes: int = 0,
        early_minutes: int = 0,
        missing_check_in: bool = False,
        missing_check_out: bool = False,
        absent: bool = False,
        has_any_punch: bool = False,
        credited_minutes: Decimal = Decimal(0),
    ) -> None:
        _set_attr(
            self,
            "__dict__",
            {
                "date": date,
                "position": position,
                "acting": acting,
                "leave": leave,
                "late_minutes": late_minutes,
                "early_minutes": early_minutes,
                "missing_check_in": missing_check_in,
                "missing_check_out": missing_check_out,
                "absent": absent,
                "has_any_punch": has_any_punch,
                "credited_minutes": credited_minutes,
            },
        )

    def __repr__(self) -> str:  # the dataclass repr, as PositionDay's
        return (
            f"WorkingDay(date={self.date!r}, position={self.position!r}, acting={self.acting!r}, "
            f"leave={self.leave!r}, late_minutes={self.late_minutes!r}, "
            f"early_minutes={self.early_minutes!r}, missing_check_in={self.missing_check_in!r}, "
            f"missing_check_out={self.missing_check_out!r}, absent={self.absent!r}, "
            f"has_any_punch={self.has_any_punch!r}, credited_minutes={self.credited_minutes!r})"
        )


@dataclass(frozen=True, repr=False)
class EmployeeMonth:
    """Everything about one employee's month that the rules look at.

    `days` are exactly the working days W. `expired_entries` is only reported (expired entries
    already count for nothing). `off_day_minutes` are (date, minutes) of the month's days that are
    not working days, with the minutes of their approved entries within the entry window (before
    the daily cap): they are credited like a working day's (tpp-rules.md, "Activity"). `sentences`
    are the levels (policy sentence kinds) of the discipline sentences in force on any day of the
    month. `status_change`: the status changed during the month (CPNS to PNS): (the first day of
    `status`, the status before it); the days before that date take the earlier status's factor
    (tpp-rules.md: the factor per day)."""

    nip: str
    status: str
    golongan: str | None
    days: tuple[WorkingDay, ...]
    salary: Decimal | None = None
    predicate: str | None = None
    sentences: tuple[str, ...] = ()
    expired_entries: int = 0
    off_day_minutes: tuple[tuple[dt.date, Decimal], ...] = ()
    status_change: tuple[dt.date, str] | None = None

    def __repr__(self) -> str:
        return "".join(self.digest_parts())

    def digest_parts(self) -> tuple[str, str, str]:
        """The dataclass's own text (the input digest of every stored run is made of it), with
        off_day_minutes and status_change only when there are some, in three parts: before the
        predicate, the predicate, after it. Each employee's own digest leaves the predicate out
        (tpp.selectors.input_digests): whether it matters depends on the policy, and
        predicates_changed compares it where it does."""
        head = (
            f"EmployeeMonth(nip={self.nip!r}, status={self.status!r}, "
            f"golongan={self.golongan!r}, days={self.days!r}, salary={self.salary!r}, "
        )
        tail = f"sentences={self.sentences!r}, expired_entries={self.expired_entries!r}"
        if self.off_day_minutes:
            tail += f", off_day_minutes={self.off_day_minutes!r}"
        if self.status_change is not None:
            tail += f", status_change={self.status_change!r}"
        return head, f"predicate={self.predicate!r}, ", tail + ")"


class CalculationInputError(ValueError):
    """Inputs the calculator cannot interpret (a bug in the caller, not a policy question)."""


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


class Line(NamedTuple):
    """One line of the explanation an employee reads: what, how much, and how it was reached."""

    label: str
    figure: str
    formula: str


@dataclass(frozen=True)
class AttendanceFacts:
    late: int
    early: int
    missing_check_in: int
    missing_check_out: int
    absent_without_notice: int
    leave_days: dict[str, int]
    present_days: int
    deduction_pct: Decimal
    late_by_band: tuple[tuple[Band, int], ...]
    early_by_band: tuple[tuple[Band, int], ...]
    leave_deductions: tuple[tuple[str, int, Decimal], ...]  # (leave type, days, pct per day)


@dataclass(frozen=True)
class ActivityFacts:
    credited_minutes: Decimal  # after the daily cap, every day of the month
    uncapped_minutes: Decimal
    days_over_cap: int
    target_minutes: Decimal  # informative, 2 decimals
    target_reducing_leave_days: int
    expired_entries: int
    score: Decimal  # informative, 4 decimals; the amount uses the exact score


@dataclass(frozen=True)
class SkpFacts:
    predicate: str | None
    pct: Decimal


@dataclass(frozen=True)
class ComponentResult:
    key: str
    weight: Decimal
    pot: Decimal  # the exact pot rounded half-up to whole rupiah, for display only
    amount: Decimal
    exact_pot: Fraction = ZERO  # ceiling x weight / 100, exact (summed over allowances)


@dataclass(frozen=True)
class AllowanceResult:
    key: str
    name: str
    ceiling: Decimal  # the exact ceiling rounded half-up to whole rupiah, for display only
    components: tuple[ComponentResult, ...]
    subtotal: Decimal  # the rounded components' sum, before floor and sentence
    gross: Decimal
    exact_ceiling: Fraction = ZERO


@dataclass(frozen=True)
class TppResult:
    nip: str
    working_days: int
    days_in_post: int
    status_factor: Decimal
    ceiling: Decimal  # the allowances' displayed ceilings summed (whole rupiah, display only)
    attendance: AttendanceFacts
    activity: ActivityFacts
    skp: SkpFacts
    components: tuple[ComponentResult, ...]  # summed over allowances, in policy order
    allowances: tuple[AllowanceResult, ...]
    uses_allowances: bool
    presence_rate: Decimal | None  # percent, 2 decimals; None without days in post
    floor_pct: Decimal
    sentence_level: str | None
    sentence_pct: Decimal
    subtotal: Decimal
    gross: Decimal
    pph21_key: str | None
    pph21_rate: Decimal
    pph21: Decimal
    health_insurance: Decimal
    net: Decimal
    notes: tuple[str, ...] = field(default=())
    lines: tuple[Line, ...] = field(default=())

    def component(self, key: str) -> ComponentResult | None:
        return next((c for c in self.components if c.key == key), None)

    def amount(self, key: str) -> Decimal:
        found = self.component(key)
        return found.amount if found else Decimal(0)

    def as_row(self) -> dict:
        """The employee's row of an `ekinerja-result/1` document (JSON-ready)."""
        att, act = self.attendance, self.activity
        row = {
            "nip": self.nip,
            "working_days": self.working_days,
            "ceiling": int(self.ceiling),
            "attendance": {
                "late": att.late,
                "early": att.early,
                "missing_check_in": att.missing_check_in,
                "missing_check_out": att.missing_check_out,
                "absent_without_notice": att.absent_without_notice,
                "leave_days": dict(att.leave_days),
                "deduction_pct": json_number(att.deduction_pct),
                "amount": int(self.amount("attendance")),
            },
            "activity": {
                "credited_minutes": json_number(act.credited_minutes),
                "target_minutes": json_number(act.target_minutes),
                "expired_entries": act.expired_entries,
                "score": json_number(act.score),
                "amount": int(self.amount("activity")),
            },
            "skp": {
                "predicate": self.skp.predicate,
                "pct": json_number(self.skp.pct),
                "amount": int(self.amount("skp")),
            },
            "floor_pct": json_number(self.floor_pct),
            "sentence_pct": json_number(self.sentence_pct),
            "gross": int(self.gross),
            "pph21": int(self.pph21),
            "health_insurance": int(self.health_insurance),
            "net": int(self.net),
            "notes": list(self.notes),
        }
        if self.uses_allowances:
            # Each allowance's component has the row's shape ("attendance": {...} as the spec's
            # example writes it): the shared facts, with the allowance's own amount.
            facts = {
                key: {k: v for k, v in row[key].items() if k != "amount"}
                for key in ("attendance", "activity", "skp")
            }
            row["allowances"] = {
                a.key: {
                    "ceiling": int(a.ceiling),
                    **{
                        c.key: {**facts.get(c.key, {}), "amount": int(c.amount)}
                        for c in a.components
                    },
                    "gross": int(a.gross),
                }
                for a in self.allowances
            }
        return row


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


# Formatted figures and converted values repeat across the employees of a run (the same pots,
# percentages, rates): they are remembered here, keyed by type and value so that equal values of
# different types (1, Decimal(1), Fraction(1)), which may print differently, never share an entry.
# Bounded: cleared when full.
_MEMO_LIMIT = 50_000
_memo: dict = {}


def _remember(key, value):
    if len(_memo) >= _MEMO_LIMIT:
        _memo.clear()
    _memo[key] = value
    return value


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (both >= 0, denominator > 0) rounded half up to an integer, exactly."""
    q, r = divmod(numerator, denominator)
    return q + 1 if 2 * r >= denominator else q


def _rupiah(value: Fraction) -> Decimal:
    """Round an exact value half-up to whole rupiah, as core.money.round_rupiah does.

    Non-negative values (all of them in practice) are rounded exactly in integers. A negative one
    takes the quotient with 80 significant digits and round_rupiah: that is exact when the value is a
    terminating decimal (the only kind that can sit exactly on ...,5), and otherwise far closer than
    the value's distance from the nearest half (at least 1/(2 x denominator); our denominators are
    small), so both ways give round_rupiah of the exact value."""
    n, d = value.numerator, value.denominator
    if n >= 0:
        return Decimal(_half_up(n, d))
    with localcontext() as ctx:
        ctx.prec = 80
        return round_rupiah(Decimal(n) / Decimal(d))


def _amount(exact: Fraction, pot: Fraction) -> tuple[Decimal, bool]:
    """A component amount: its exact value (0 <= exact <= pot) rounded half-up to whole rupiah
    (tpp-rules.md, "Rounding"), except that it never exceeds the exact pot (the spec's own
    0 <= amount <= pot, and so gross <= ceiling): when half-up would give more than the pot, the
    amount is floor(pot). That happens only when the pot's fractional part is at least one half and
    the exact value lies in its last half rupiah, floor(pot) + 1/2 <= exact <= pot: a full score on
    a pot of 1,227,272.73 pays 1,227,272, on a pot of 4,500,002.5 pays 4,500,002. The flag says
    the amount was clamped."""
    n, d = exact.numerator, exact.denominator
    if n < 0:  # not reachable (amounts are max(0, ...) or products of non-negatives)
        return _rupiah(exact), False
    q = _half_up(n, d)
    top = pot.numerator // pot.denominator
    if q > top:
        return Decimal(top), True
    return Decimal(q), False


_CLAMPED = " (pembulatan dibatasi agar tidak melebihi porsi)"


def _note_clamp(notes: list[str], prefix: str, name: str, amount: Decimal, pot: Fraction) -> None:
    """The spec's notes say every rule applied; the clamp (_amount) pays a rupiah less than
    half-up rounding would, which an auditor checking the figure by hand must be told."""
    notes.append(
        f"{prefix}Komponen {name} dibulatkan ke bawah menjadi {_rp(amount)}: pembulatan setengah "
        f"ke atas akan melebihi porsi {_rp(pot)}, sedangkan komponen tidak boleh melebihi porsinya."
    )


_CTX80 = Context(prec=80)


def _decimal(value: Fraction, places: int) -> Decimal:
    """An informative figure (score, target minutes, presence rate), rounded half-up to `places`,
    without trailing zeros (as quantize to `places` half up and normalize would give)."""
    n, d = value.numerator, value.denominator
    key = ("d", n, d, places)
    found = _memo.get(key)
    if found is not None:
        return found
    if n >= 0:
        scale = 10**places
        q = _half_up(n * scale, d)
        if q % scale == 0:
            return _remember(key, Decimal(q // scale))
        return _remember(key, Decimal(q).scaleb(-places, _CTX80).normalize())
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(n) / Decimal(d)
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    if rounded == rounded.to_integral_value():
        return _remember(key, Decimal(int(rounded)))
    return _remember(key, rounded.normalize())


def _frac(value: Decimal | int) -> Fraction:
    if type(value) is Decimal:
        key = ("f", value)
        found = _memo.get(key)
        if found is None:
            found = _remember(key, Fraction(*value.as_integer_ratio()))
        return found
    if isinstance(value, float):
        raise CalculationInputError("Angka tidak boleh float; gunakan Decimal.")
    return Fraction(value)


def _key(value, places: int = 0) -> tuple:
    """A memo key that tells types apart (and, for fractions, hashes fast)."""
    if type(value) is Fraction:
        return (value.numerator, value.denominator, places)
    return (type(value), value)


def _num(value: Decimal | Fraction | int, places: int = 4) -> str:
    """A number in Indonesian notation: 6.075; 2,5; 0,9."""
    key = ("n", _key(value, places))
    found = _memo.get(key)
    if found is not None:
        return found
    if isinstance(value, Fraction):
        value = _decimal(value, places)
    value = Decimal(value)
    if value == value.to_integral_value():
        return _remember(key, f"{int(value):,}".replace(",", "."))
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole_digits = f"{abs(int(whole)):,}".replace(",", ".")
    return _remember(key, f"{sign}{whole_digits},{frac}")


def _pct(value: Decimal | Fraction | int) -> str:
    return f"{_num(value)}%"


def _rp(value: Decimal | Fraction | int) -> str:
    """Rupiah; an exact non-whole intermediate figure shows two decimals (Rp246.913,40)."""
    key = ("r", _key(value))
    found = _memo.get(key)
    if found is not None:
        return found
    if isinstance(value, Fraction) and value.denominator != 1:
        cents = _rupiah(value * 100)
        whole, rest = divmod(int(cents), 100)
        return _remember(key, f"{format_rupiah(whole)},{rest:02d}")
    return _remember(
        key, format_rupiah(Decimal(int(value)) if isinstance(value, Fraction) else value)
    )


def band_pct(bands: tuple[Band, ...], minutes: int) -> tuple[Band | None, Decimal]:
    """The band a whole number of minutes falls in, and its percentage.

    Minutes beyond a closed last band, or in a gap between two bands (a scenario file's tables may
    have gaps, tpp-rules.md gives no rule for them), take the percentage of the band below, so more
    minutes never deduct less (the spec's monotonicity); minutes below the first band deduct
    nothing."""
    below = None
    for band in bands:
        if band.contains(minutes):
            return band, band.pct
        if band.upper is not None and minutes > band.upper:
            below = band
    if below is not None:
        return below, below.pct
    return None, Decimal(0)


def pph21_key(policy: Policy, status: str, golongan: str | None) -> str | None:
    """The PPh 21 rate key: "PPPK" for a PPPK employee when the policy lists it (the app's policies;
    not a scenario file's, Pph21Rules.pppk_key), otherwise the part of the golongan before "/"
    (IV/c -> IV)."""
    rates = policy.pph21.rates or {}
    if status == "PPPK" and policy.pph21.pppk_key and "PPPK" in rates:
        return "PPPK"
    if golongan and golongan.strip():
        return golongan.split("/")[0].strip()
    return None


# --------------------------------------------------------------------------------------------------
# The computation
# --------------------------------------------------------------------------------------------------


_NO_EFFECT = LeaveType()


def _base_of(allowance: Allowance, kelas: int, tpp_base: Decimal | None) -> Fraction | None:
    """The position's base for this allowance (None: its kelas is missing from the table)."""
    if tpp_base is not None and allowance.key == "tpp":
        return Fraction(tpp_base)
    amount = allowance.base_by_class.get(kelas)
    return None if amount is None else Fraction(amount)


def _position_key(pos: PositionDay) -> tuple[int, Decimal | None]:
    if type(pos.kelas) is not int or not 1 <= pos.kelas <= 17:
        raise CalculationInputError(f"Kelas jabatan {pos.kelas!r} bukan bilangan bulat 1-17.")
    if isinstance(pos.tpp_base, float):
        raise CalculationInputError("Besaran TPP jabatan tidak boleh float; gunakan Decimal.")
    if pos.tpp_base is not None and pos.tpp_base < 0:
        raise CalculationInputError("Besaran TPP jabatan negatif.")
    return (pos.kelas, pos.tpp_base)


class _Prepared:
    """What a policy gives every employee alike, worked out once per policy object: its allowances
    and component keys, and the figures that depend only on a few inputs, remembered as they come
    (the band of a number of minutes; an allowance's ceiling, pots and their lines for one set of
    positions held, working days and status factor; the SKP component for one pot and predicate).
    Only a cache: `calculate` gives the same result with or without it."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy  # keeps the object alive, so its id is not reused while cached
        self.allowances = policy.allowance_list()
        self.component_keys = policy.component_keys()
        self.bands: dict[tuple[int, int], tuple[Band | None, Decimal]] = {}
        self.ceilings: dict[tuple, tuple] = {}
        self.skp: dict[tuple, tuple] = {}

    def band(self, which: int, bands: tuple[Band, ...], minutes: int):
        key = (which, minutes)
        found = self.bands.get(key)
        if found is None:
            if len(self.bands) >= _MEMO_LIMIT:
                self.bands.clear()
            found = self.bands[key] = band_pct(bands, minutes)
        return found


_PREPARED: dict[int, _Prepared] = {}


def _prepared(policy: Policy) -> _Prepared:
    found = _PREPARED.get(id(policy))
    if found is None or found.policy is not policy:
        if len(_PREPARED) >= 8:
            _PREPARED.clear()  # a few policies at a time in practice; clear() is safe across threads
        found = _PREPARED[id(policy)] = _Prepared(policy)
    return found


class _Block(NamedTuple):
    """An allowance's ceiling and pots for one set of positions held, working days and factors."""

    ceiling: Fraction  # exact
    shown_ceiling: Decimal  # rounded half-up, for display only
    ceiling_line: Line
    pots: tuple[Fraction, ...]  # exact: ceiling x weight / 100
    shown_pots: tuple[Decimal, ...]  # rounded half-up, for display only
    pot_lines: tuple[Line, ...]
    missing: frozenset[int]


def _ceiling_block(
    policy: Policy,
    allowance: Allowance,
    groups: tuple[tuple[tuple, int], ...],
    w: int,
    plt_pct: Decimal,
    prefix: str,
) -> _Block:
    """An allowance's ceiling (prorated over the days in post, each group of days at its status
    factor, with the largest acting share of each day), its pots and their lines, and the kelas
    missing from its table.

    The ceiling and the pots are exact (tpp-rules.md rounds only the component amounts, gross and
    the withholdings); their figures in the result and the explanation are rounded half-up for
    display, and the lines show the exact value beside them when it is not whole."""
    plt_share = Fraction(plt_pct) / HUNDRED
    missing_classes: set[int] = set()
    total = ZERO
    parts: Counter[tuple[str, int, Fraction, Decimal]] = Counter()
    for ((kelas, tpp_base), acting_keys, factor), count in groups:
        base = _base_of(allowance, kelas, tpp_base)
        if base is None:
            missing_classes.add(kelas)
            base = ZERO
        total += base * (Fraction(factor) / HUNDRED) * count
        parts[("definitif", kelas, base, factor)] += count
        # Only the largest acting share of a day counts.
        best = None
        for acting_kelas, acting_base_amount in acting_keys:
            acting_base = _base_of(allowance, acting_kelas, acting_base_amount)
            if acting_base is None:
                missing_classes.add(acting_kelas)
                continue
            if best is None or acting_base > best[1]:
                best = (acting_kelas, acting_base)
        if best is not None and best[1] and plt_share:
            total += best[1] * plt_share * count
            parts[("plt", best[0], best[1], plt_pct)] += count
    ceiling = total / w if w else ZERO
    shown_ceiling = _rupiah(ceiling)
    terms = []
    for (kind, kelas, base, pct), count in parts.items():
        who = f"kelas {kelas}" if kind == "definitif" else f"Plt/Plh kelas {kelas}"
        terms.append(f"{count} hari × {_pct(pct)} × {_rp(base)} ({who})")
    formula = (" + ".join(terms) or "tidak ada hari menjabat") + (f" ÷ {w} hari kerja" if w else "")
    if ceiling.denominator != 1:
        formula += f" = {_rp(ceiling)} (ditampilkan dibulatkan)"
    pots = tuple(ceiling * _frac(comp.weight) / HUNDRED for comp in allowance.components)
    shown_pots = tuple(_rupiah(pot) for pot in pots)
    pot_lines = tuple(
        Line(
            f"{prefix}Porsi {COMPONENT_LABELS[comp.key]} (bobot {_pct(comp.weight)})",
            _rp(shown),
            f"{_pct(comp.weight)} × pagu {_rp(ceiling)}"
            + (f" = {_rp(pot)} (ditampilkan dibulatkan)" if pot.denominator != 1 else ""),
        )
        for comp, pot, shown in zip(allowance.components, pots, shown_pots, strict=True)
    )
    return _Block(
        ceiling,
        shown_ceiling,
        Line(f"{prefix}Pagu", _rp(shown_ceiling), formula),
        pots,
        shown_pots,
        pot_lines,
        frozenset(missing_classes),
    )


#: Names of the leave types the format's examples and the Pemda's usual Perbup use, for the notes
#: an employee reads; any other key is written with spaces ("cuti_alasan_penting" -> "cuti alasan
#: penting").
LEAVE_NAMES = {
    "cltn": "cuti di luar tanggungan negara (CLTN)",
    "wfh": "bekerja dari rumah (WFH)",
    "dl": "dinas luar",
}


def leave_name(key: str) -> str:
    """A leave type's key as an employee reads it."""
    return LEAVE_NAMES.get(key.lower(), key.replace("_", " "))


def _whole_or_decimal(minutes) -> bool:
    """Credited minutes as the calculator takes them: a finite Decimal or an int (not a bool or a
    float), not negative."""
    if type(minutes) is Decimal:
        return minutes.is_finite() and minutes >= 0
    return type(minutes) is int and minutes >= 0


def _day_input_error(nip: str, d: WorkingDay) -> CalculationInputError:
    """The error for a working day whose minutes the calculator cannot take, naming the employee,
    the day and the field (the per-day test in calculate only says that one is wrong)."""
    for name in ("late_minutes", "early_minutes"):
        value = getattr(d, name)
        if type(value) is not int or value < 0:
            return CalculationInputError(
                f"Pegawai {nip}, {d.date} ({name}): menit harus bilangan bulat (int) yang tidak "
                f"negatif; diterima {value!r}."
            )
    return CalculationInputError(
        f"Pegawai {nip}, {d.date} (credited_minutes): menit aktivitas harus Decimal atau int "
        f"yang terhingga dan tidak negatif; diterima {d.credited_minutes!r}."
    )


def calculate(policy: Policy, month: EmployeeMonth) -> TppResult:
    """Compute one employee's TPP for one month under `policy` (tpp-rules.md, steps 1-6).

    One pass over the working days collects every fact; money is then computed once per distinct
    (position, acting positions) combination, not per day, so a month costs well under a millisecond.
    """
    if month.status not in STATUSES:
        raise CalculationInputError(
            f"Status pegawai '{month.status}' tidak dikenal (PNS/CPNS/PPPK)."
        )
    if month.predicate is not None and month.predicate not in PREDICATES:
        raise CalculationInputError(f"Predikat SKP '{month.predicate}' tidak dikenal.")
    if isinstance(month.salary, float):
        raise CalculationInputError("Gaji tidak boleh float; gunakan Decimal.")
    if month.salary is not None and month.salary < 0:
        raise CalculationInputError("Gaji negatif.")
    days = sorted(month.days, key=lambda d: d.date)
    w = len(days)
    if len({d.date for d in days}) != w:
        raise CalculationInputError("Ada hari kerja yang tercantum dua kali.")

    prepared = _prepared(policy)
    notes: list[str] = []
    lines: list[Line] = []
    factor = policy.status_factor[month.status]
    # A status that changed during the month: the days before `since` take the earlier factor.
    since, earlier_factor = None, factor
    if month.status_change is not None:
        since, earlier = month.status_change
        if earlier not in STATUSES:
            raise CalculationInputError(
                f"Status pegawai '{earlier}' tidak dikenal (PNS/CPNS/PPPK)."
            )
        earlier_factor = policy.status_factor[earlier]
    plt_pct = policy.plt_pct if policy.plt_pct is not None else Decimal(0)
    leave_types = policy.leave_types
    att_rules = policy.attendance
    grace = att_rules.grace_minutes
    act_rules = policy.activity
    cap = act_rules.daily_cap_minutes

    # ---- one pass over the days ----------------------------------------------------------------
    dip = present = reducing = 0
    late = early = mci = mco = absent = 0
    no_position = acting_without_post = multi_acting = acting_days = over_cap = 0
    deduction = Decimal(0)
    credited = uncapped = not_in_post_minutes = Decimal(0)
    not_in_post_days = 0
    late_bands: Counter[Band | None] = Counter()
    early_bands: Counter[Band | None] = Counter()
    leave_days: Counter[str] = Counter()
    leave_deduction_days: Counter[str] = Counter()
    unknown_leaves: Counter[str] = Counter()
    excluded_days: Counter[str] = Counter()
    # (definitif position key, acting position keys) -> days in post
    groups: Counter[tuple] = Counter()
    last_pos = group = last_factor = None
    earlier_days = 0
    for d in days:
        # The input boundary, per day: minutes late/early a whole number (int, not bool, float or
        # Decimal) and not negative, credited minutes a finite Decimal or int not negative. A
        # float or a NaN once passed or raised a bare InvalidOperation. Type tests by identity,
        # about 1% of calculate (docs/tpp-calculation.md).
        late_m, early_m, minutes = d.late_minutes, d.early_minutes, d.credited_minutes
        if type(late_m) is not int or type(early_m) is not int or late_m < 0 or early_m < 0:
            raise _day_input_error(month.nip, d)
        if type(minutes) is Decimal:
            if not minutes.is_finite() or minutes < 0:
                raise _day_input_error(month.nip, d)
        elif type(minutes) is not int or minutes < 0:
            raise _day_input_error(month.nip, d)
        # Every day's approved minutes within the entry window are credited, capped per day, in
        # post or not (tpp-rules.md, "Activity"; days in post restrict only the target).
        if minutes > cap:
            over_cap += 1
            credited += cap
        else:
            credited += minutes
        uncapped += minutes
        lt = None
        if d.leave is not None:
            leave_days[d.leave] += 1
            lt = leave_types.get(d.leave)
            if lt is None:
                # A key the policy does not know: a leave with no effect at all (noted).
                unknown_leaves[d.leave] += 1
                lt = _NO_EFFECT
        pos = d.position
        acting_keys = tuple(_position_key(a) for a in d.acting) if d.acting else ()
        if pos is None or (lt is not None and lt.excludes_tpp):
            # Not a day in post: no TPP, no attendance, no activity for this day.
            if pos is None:
                no_position += 1
            else:
                _position_key(pos)
                excluded_days[d.leave] += 1
            if acting_keys:
                acting_without_post += 1
            if minutes:
                not_in_post_days += 1
                not_in_post_minutes += min(minutes, cap)
            continue
        dip += 1
        day_factor = factor
        if since is not None and d.date < since:
            day_factor = earlier_factor
            earlier_days += 1
        # Consecutive days mostly share the same position objects: their key is made once.
        if pos is not last_pos or acting_keys or day_factor is not last_factor:
            last_pos = pos if not acting_keys else None
            last_factor = day_factor
            group = (_position_key(pos), acting_keys, day_factor)
        groups[group] += 1
        if acting_keys:
            acting_days += 1
            if len(acting_keys) > 1:
                multi_acting += 1
        if d.has_any_punch or (lt is not None and lt.counts_as_present):
            present += 1
        if lt is not None:
            # A day covered by an approved leave has only the leave type's deduction.
            if lt.reduces_activity_target:
                reducing += 1
            if lt.deduction:
                deduction += lt.deduction
                leave_deduction_days[d.leave] += 1
            continue
        if d.absent:
            absent += 1
            deduction += att_rules.absent_without_notice
            continue
        if d.missing_check_in:
            mci += 1
            deduction += att_rules.missing_check_in
        elif late_m > grace and late_m > 0:
            late += 1
            band, pct = prepared.band(0, att_rules.late_bands, late_m)
            late_bands[band] += 1
            deduction += pct
        if d.missing_check_out:
            mco += 1
            deduction += att_rules.missing_check_out
        elif early_m > grace and early_m > 0:
            early += 1
            band, pct = prepared.band(1, att_rules.early_bands, early_m)
            early_bands[band] += 1
            deduction += pct

    # Days of the month that are not working days: their minutes are credited too, capped per day.
    off_days = off_day_minutes = 0
    if month.off_day_minutes:
        working_dates = {d.date for d in days}
        seen: set[dt.date] = set()
        for date, minutes in month.off_day_minutes:
            if not _whole_or_decimal(minutes):
                raise CalculationInputError(
                    f"Pegawai {month.nip}, {date} (off_day_minutes): menit aktivitas harus "
                    f"Decimal atau int yang terhingga dan tidak negatif; diterima {minutes!r}."
                )
            if date in working_dates or date in seen:
                raise CalculationInputError(
                    f"Menit aktivitas {date} tercantum dua kali (hari kerja atau hari libur)."
                )
            seen.add(date)
            if not minutes:
                continue
            off_days += 1
            if minutes > cap:
                over_cap += 1
                credited += cap
                off_day_minutes += cap
            else:
                credited += minutes
                off_day_minutes += minutes
            uncapped += minutes

    # ---- notes on the ceiling's inputs --------------------------------------------------------
    for key, count in sorted(unknown_leaves.items()):
        notes.append(
            f"Jenis cuti/izin '{key}' ({count} hari) tidak ada dalam kebijakan; hari tersebut "
            "dihitung tanpa potongan dan tanpa pengurangan target."
        )
    if w == 0:
        notes.append("Tidak ada hari kerja terjadwal pada bulan ini; TPP bulan ini nol.")
    if no_position:
        notes.append(
            f"{no_position} dari {w} hari kerja tanpa jabatan definitif (mis. sebelum TMT atau "
            "sesudah berhenti); hari tersebut bernilai nol dan pagu diprorata."
        )
    for key, count in sorted(excluded_days.items()):
        notes.append(
            f"{count} hari kerja {leave_name(key)}: tidak menerima TPP pada hari tersebut; "
            "pagu diprorata."
        )
    if w and dip == 0:
        notes.append("Tidak ada hari menjabat pada bulan ini; TPP bulan ini nol.")
    if earlier_days:
        notes.append(
            f"Status {month.status_change[1]} sampai {_tanggal(since - dt.timedelta(days=1))} "
            f"({earlier_days} hari menjabat, besaran jabatan definitif {_pct(earlier_factor)}), "
            f"{month.status} mulai {_tanggal(since)} ({_pct(factor)}), sesuai faktor status "
            "dalam kebijakan."
        )
    elif factor != 100 and dip:
        notes.append(
            f"Status {month.status}: besaran jabatan definitif dibayar {_pct(factor)} "
            "sesuai faktor status dalam kebijakan."
        )
    if acting_without_post:
        notes.append(
            f"{acting_without_post} hari sebagai Plt/Plh tanpa jabatan definitif yang dibayar "
            "(atau saat cuti yang meniadakan TPP): tambahan Plt/Plh hari tersebut tidak dihitung."
        )
    if multi_acting:
        notes.append(
            f"{multi_acting} hari dengan lebih dari satu jabatan Plt/Plh: hanya tambahan "
            "terbesar yang dihitung."
        )
    if acting_days and not plt_pct:
        notes.append(
            "Kebijakan tidak memberi tambahan untuk Plt/Plh (persentase tambahan Plt/Plh 0 atau "
            "tidak diisi)."
        )

    # ---- attendance facts ----------------------------------------------------------------------
    def by_band(counter: Counter, bands: tuple[Band, ...]) -> tuple[tuple[Band, int], ...]:
        return tuple((b, counter[b]) for b in bands if counter[b])

    attendance = AttendanceFacts(
        late=late,
        early=early,
        missing_check_in=mci,
        missing_check_out=mco,
        absent_without_notice=absent,
        leave_days=dict(sorted(leave_days.items())),
        present_days=present,
        deduction_pct=deduction,
        late_by_band=by_band(late_bands, att_rules.late_bands),
        early_by_band=by_band(early_bands, att_rules.early_bands),
        leave_deductions=tuple(
            (k, n, leave_types[k].deduction) for k, n in sorted(leave_deduction_days.items())
        ),
    )
    below_first = late_bands[None] + early_bands[None]
    if below_first:
        notes.append(
            f"{below_first} kali terlambat/pulang cepat di bawah pita pertama: dicatat tanpa potongan."
        )

    # ---- activity facts ------------------------------------------------------------------------
    if act_rules.daily_target_minutes is not None:
        target = _frac(act_rules.daily_target_minutes) * (dip - reducing)
        target_formula = f"{_num(act_rules.daily_target_minutes)} menit × ({dip} − {reducing}) hari"
    elif w:
        target = _frac(act_rules.monthly_target_minutes) * (dip - reducing) / w
        target_formula = f"{_num(act_rules.monthly_target_minutes)} menit × ({dip} − {reducing}) ÷ {w} hari kerja"
    else:
        target = ZERO
        target_formula = "tidak ada hari kerja"
    score_cap = _frac(act_rules.score_cap)
    if target > 0:
        score = min(score_cap, _frac(credited) / target)
    else:
        # Nothing was expected (every day in post was on target-reducing leave, or none in post):
        # the employee cannot have fallen short, so the score is full.
        score = score_cap
    activity = ActivityFacts(
        credited_minutes=credited,
        uncapped_minutes=uncapped,
        days_over_cap=over_cap,
        target_minutes=_decimal(target, 2),
        target_reducing_leave_days=reducing,
        expired_entries=month.expired_entries,
        score=_decimal(score, 4),
    )
    component_keys = prepared.component_keys
    if "activity" in component_keys:
        if month.expired_entries:
            notes.append(
                f"{month.expired_entries} entri aktivitas kedaluwarsa (diajukan lewat "
                f"{act_rules.entry_window_working_days} hari kerja tanpa buka-kunci yang disetujui) "
                "tidak dihitung."
            )
        if off_days:
            notes.append(
                f"{_num(off_day_minutes)} menit aktivitas pada {off_days} hari yang bukan hari kerja "
                "ikut dihitung."
            )
        if not_in_post_minutes:
            notes.append(
                f"{_num(not_in_post_minutes)} menit aktivitas pada {not_in_post_days} hari kerja "
                "tidak menjabat ikut dihitung; target hanya atas hari menjabat."
            )
        if over_cap:
            notes.append(
                f"Pada {over_cap} hari menit aktivitas melebihi batas harian "
                f"{_num(cap)} menit; kelebihan {_num(uncapped - credited)} menit tidak dihitung."
            )
        if reducing and target > 0:
            notes.append(
                f"Target aktivitas dikurangi secara proporsional untuk {reducing} hari cuti/izin "
                "yang mengurangi target."
            )
        if target == 0 and dip:
            notes.append(
                "Target aktivitas nol karena seluruh hari menjabat tertutup cuti yang mengurangi "
                "target; skor aktivitas dianggap penuh."
            )
    activity_lines = [
        Line(
            "Menit aktivitas diakui",
            f"{_num(credited)} menit",
            "menit standar × volume entri yang disetujui dan tepat waktu pada setiap hari "
            f"dalam bulan ini, maks. {_num(cap)} menit per hari",
        ),
        Line("Target menit", f"{_num(target, 2)} menit", target_formula),
        Line(
            "Skor aktivitas",
            _num(score),
            f"{_num(credited)} ÷ {_num(target, 2)}, paling tinggi {_num(score_cap)}"
            if target > 0
            else "target nol: skor penuh",
        ),
    ]

    # ---- SKP ------------------------------------------------------------------------------------
    skp_pct = policy.skp.pct(month.predicate)
    skp = SkpFacts(month.predicate, skp_pct)
    if "skp" in component_keys and month.predicate is None:
        notes.append(
            f"Predikat SKP bulan ini belum ada: dipakai nilai 'belum dinilai' {_pct(skp_pct)}."
        )

    # ---- floors and sentences -------------------------------------------------------------------
    floor_pct = Decimal(100)
    presence_rate = None
    if dip:
        rate = HUNDRED * present / dip
        presence_rate = _decimal(rate, 2)
        for floor in policy.attendance_floors or ():
            if floor.lower <= rate < floor.upper:
                floor_pct = floor.pct
                notes.append(
                    f"Tingkat kehadiran {_pct(rate)} ({present} dari {dip} hari menjabat) di bawah "
                    f"{_pct(floor.upper)}: jumlah komponen dibayar {_pct(floor.pct)}."
                )
                break
    sentence_level = None
    sentence_pct = Decimal(0)
    known_levels = 0
    for level in sorted(set(month.sentences)):
        if level not in policy.sentences:
            notes.append(
                f"Hukuman disiplin '{level}' tidak ada dalam tabel kebijakan; tidak memotong TPP."
            )
            continue
        known_levels += 1
        if sentence_level is None or policy.sentences[level] > sentence_pct:
            sentence_level, sentence_pct = level, policy.sentences[level]
    if sentence_level is not None:
        notes.append(
            f"Hukuman disiplin {sentence_level.replace('_', ' ')} berlaku pada bulan ini: jumlah "
            f"komponen dipotong {_pct(sentence_pct)}"
            + (" (potongan terbesar dari beberapa hukuman)." if known_levels > 1 else ".")
        )
    multiplier = _memo.get(("m", floor_pct, sentence_pct))
    if multiplier is None:
        multiplier = _remember(
            ("m", floor_pct, sentence_pct),
            _frac(floor_pct) / HUNDRED * (1 - _frac(sentence_pct) / HUNDRED),
        )

    # ---- allowances: ceiling, pots, components, gross ------------------------------------------
    lines.append(Line("Hari kerja", f"{w} hari", "hari kerja terjadwal pada bulan ini"))
    lines.append(
        Line(
            "Hari menjabat",
            f"{dip} hari",
            "hari kerja dengan jabatan definitif, di luar cuti yang meniadakan TPP",
        )
    )
    allowance_results: list[AllowanceResult] = []
    missing_classes: set[int] = set()
    group_items = tuple(groups.items())
    for index, allowance in enumerate(prepared.allowances):
        prefix = f"{allowance.name}: " if policy.uses_allowances else ""
        key = (index, group_items, w, plt_pct)
        block = prepared.ceilings.get(key)
        if block is None:
            if len(prepared.ceilings) >= _MEMO_LIMIT:
                prepared.ceilings.clear()
            block = prepared.ceilings[key] = _ceiling_block(
                policy, allowance, group_items, w, plt_pct, prefix
            )
        ceiling = block.ceiling
        missing_classes |= block.missing
        lines.append(block.ceiling_line)
        results: list[ComponentResult] = []
        for comp, pot, shown_pot, pot_line in zip(
            allowance.components, block.pots, block.shown_pots, block.pot_lines, strict=True
        ):
            lines.append(pot_line)
            if comp.key == "attendance":
                amount, comp_lines = _attendance_amount(
                    policy, attendance, pot, ceiling, prefix, notes
                )
            elif comp.key == "activity":
                amount, clamped = _amount(pot * score, pot)
                if clamped:
                    _note_clamp(notes, prefix, "aktivitas", amount, pot)
                comp_lines, activity_lines = activity_lines, []
                comp_lines = [
                    *comp_lines,
                    Line(
                        f"{prefix}Komponen aktivitas",
                        _rp(amount),
                        # A score that is not a 4-decimal number is shown rounded; the amount
                        # takes the exact one, which the line says (so the figures add up).
                        (
                            f"skor {_num(score)} × porsi {_rp(pot)}"
                            if _frac(_decimal(score, 4)) == score
                            else f"skor ≈{_num(score)} × porsi {_rp(pot)} (skor tepat "
                            f"{_num(credited)} ÷ {_num(target, 2)}, tanpa pembulatan)"
                        )
                        + (_CLAMPED if clamped else ""),
                    ),
                ]
            else:
                skp_key = (index, pot.numerator, pot.denominator, skp_pct, month.predicate)
                found = prepared.skp.get(skp_key)
                if found is None:
                    amount, clamped = _amount(pot * _frac(skp_pct) / HUNDRED, pot)
                    label_pred = PREDICATE_LABELS.get(month.predicate, "belum dinilai")
                    line = Line(
                        f"{prefix}Komponen SKP",
                        _rp(amount),
                        f"predikat {label_pred} {_pct(skp_pct)} × porsi {_rp(pot)}"
                        + (_CLAMPED if clamped else ""),
                    )
                    if len(prepared.skp) >= _MEMO_LIMIT:
                        prepared.skp.clear()
                    found = prepared.skp[skp_key] = (amount, line, clamped)
                amount, line, clamped = found
                if clamped:
                    _note_clamp(notes, prefix, "SKP", amount, pot)
                comp_lines = [line]
            results.append(ComponentResult(comp.key, comp.weight, shown_pot, amount, pot))
            lines.extend(comp_lines)
        subtotal = sum((r.amount for r in results), Decimal(0))
        gross = _rupiah(_frac(subtotal) * multiplier)
        lines.append(
            Line(
                f"{prefix}Jumlah komponen",
                _rp(subtotal),
                " + ".join(_rp(r.amount) for r in results),
            )
        )
        if policy.uses_allowances:
            lines.append(
                Line(
                    f"{prefix}Kotor",
                    _rp(gross),
                    f"{_rp(subtotal)} × {_pct(floor_pct)} × (100% − {_pct(sentence_pct)}), "
                    "dibulatkan",
                )
            )
        allowance_results.append(
            AllowanceResult(
                allowance.key,
                allowance.name,
                block.shown_ceiling,
                tuple(results),
                subtotal,
                gross,
                ceiling,
            )
        )
    for kelas in sorted(missing_classes):
        notes.append(
            f"Kelas jabatan {kelas} tidak ada dalam tabel besaran TPP kebijakan; besarannya nol."
        )
    if any(tpp_base is not None for (_, tpp_base), _acting, _factor in groups):
        notes.append(
            "Jabatan definitif memiliki besaran TPP tersendiri yang menggantikan tabel kelas jabatan."
        )
    if acting_days and plt_pct:
        notes.append(
            f"Plt/Plh pada {acting_days} hari: ditambah {_pct(plt_pct)} dari besaran jabatan yang "
            "dirangkap."
        )

    # ---- totals ------------------------------------------------------------------------------
    ceiling_total = sum((a.ceiling for a in allowance_results), Decimal(0))
    subtotal_total = sum((a.subtotal for a in allowance_results), Decimal(0))
    gross = sum((a.gross for a in allowance_results), Decimal(0))
    merged: dict[str, list] = {}
    for a in allowance_results:
        for c in a.components:
            entry = merged.setdefault(c.key, [c.weight, Decimal(0), Decimal(0), ZERO])
            entry[1] += c.pot
            entry[2] += c.amount
            entry[3] += c.exact_pot
    components = tuple(ComponentResult(k, v[0], v[1], v[2], v[3]) for k, v in merged.items())

    if policy.attendance_floors:
        lines.append(
            Line(
                "Tingkat kehadiran",
                _pct(presence_rate) if presence_rate is not None else "-",
                f"{present} dari {dip} hari menjabat dengan absensi atau cuti yang dihitung hadir",
            )
        )
        lines.append(Line("Faktor kehadiran minimum", _pct(floor_pct), "tabel batas kehadiran"))
    if sentence_level is not None:
        lines.append(
            Line(
                "Potongan hukuman disiplin",
                _pct(sentence_pct),
                f"hukuman {sentence_level.replace('_', ' ')}",
            )
        )
    if policy.uses_allowances:
        gross_formula = " + ".join(f"{a.name} {_rp(a.gross)}" for a in allowance_results)
    else:
        gross_formula = (
            f"{_rp(subtotal_total)} × {_pct(floor_pct)} × (100% − {_pct(sentence_pct)}), dibulatkan"
        )
    lines.append(Line("TPP kotor", _rp(gross), gross_formula))

    # ---- withholdings --------------------------------------------------------------------------
    key = None
    rate = Decimal(0)
    if policy.pph21.mode == "flat_by_golongan":
        key = pph21_key(policy, month.status, month.golongan)
        rates = policy.pph21.rates or {}
        if key is not None and key in rates:
            rate = rates[key]
        elif key is None:
            notes.append("Pegawai tanpa golongan yang tercantum dalam tarif PPh 21: tarif 0%.")
        else:
            notes.append(f"Golongan {key} tidak tercantum dalam tarif PPh 21 kebijakan: tarif 0%.")
        pph21 = _rupiah(_frac(gross) * _frac(rate) / HUNDRED)
        lines.append(
            Line(
                "PPh 21",
                _rp(pph21),
                f"{_pct(rate)} × {_rp(gross)}" + (f" (golongan {key})" if key else ""),
            )
        )
    else:
        pph21 = Decimal(0)
        notes.append("PPh 21 atas TPP ditanggung pemerintah (tidak dipotong).")
        lines.append(Line("PPh 21", _rp(0), "ditanggung pemerintah"))

    health = Decimal(0)
    hi = policy.health_insurance
    if hi is not None:
        pct = _frac(hi.employee_pct) / HUNDRED
        if hi.income_cap is not None:
            salary = month.salary
            if salary is None:
                salary = Decimal(0)
                notes.append(
                    "Gaji tidak tercatat: batas penghasilan iuran jaminan kesehatan dihitung "
                    "dengan gaji nol."
                )
            room = max(ZERO, _frac(hi.income_cap) - _frac(salary))
            health = _rupiah(pct * min(_frac(gross), room))
            formula = (
                f"{_pct(hi.employee_pct)} × {_rp(min(_frac(gross), room))}: TPP kotor "
                f"{_rp(gross)}, paling banyak sampai batas penghasilan {_rp(hi.income_cap)} − "
                f"gaji {_rp(salary)}"
            )
            if room < _frac(gross):
                notes.append(
                    f"Iuran jaminan kesehatan hanya atas bagian TPP yang bersama gaji tidak melebihi "
                    f"{_rp(hi.income_cap)}."
                )
        else:
            health = _rupiah(pct * _frac(gross))
            formula = f"{_pct(hi.employee_pct)} × {_rp(gross)}"
        if health > gross - pph21:
            # Only when the rates add up to nearly 100%: the withholdings never exceed gross.
            health = gross - pph21
            notes.append("Iuran jaminan kesehatan dibatasi agar potongan tidak melebihi TPP kotor.")
        lines.append(Line("Iuran jaminan kesehatan", _rp(health), formula))
    net = gross - pph21 - health
    lines.append(Line("TPP bersih", _rp(net), f"{_rp(gross)} − {_rp(pph21)} − {_rp(health)}"))

    return TppResult(
        nip=month.nip,
        working_days=w,
        days_in_post=dip,
        status_factor=factor,
        ceiling=ceiling_total,
        attendance=attendance,
        activity=activity,
        skp=skp,
        components=components,
        allowances=tuple(allowance_results),
        uses_allowances=policy.uses_allowances,
        presence_rate=presence_rate,
        floor_pct=floor_pct,
        sentence_level=sentence_level,
        sentence_pct=sentence_pct,
        subtotal=subtotal_total,
        gross=gross,
        pph21_key=key,
        pph21_rate=rate,
        pph21=pph21,
        health_insurance=health,
        net=net,
        notes=tuple(notes),
        lines=tuple(lines),
    )


def _attendance_amount(
    policy: Policy,
    facts: AttendanceFacts,
    pot: Fraction,
    ceiling: Fraction,
    prefix: str,
    notes: list[str],
) -> tuple[Decimal, list[Line]]:
    """pot − deduction% × (pot or ceiling), both exact, never below 0 (and so never above the
    pot), rounded as every component amount (_amount)."""
    rules = policy.attendance
    base = pot if rules.deduct_from == "pot" else ceiling
    base_label = "porsi" if rules.deduct_from == "pot" else "pagu"
    cut = base * _frac(facts.deduction_pct) / HUNDRED
    exact = max(ZERO, pot - cut)
    amount, clamped = _amount(exact, pot)
    if clamped:
        _note_clamp(notes, prefix, "kehadiran", amount, pot)
    if cut > pot and not any(n.startswith("Potongan kehadiran") for n in notes):
        notes.append(
            f"Potongan kehadiran {_pct(facts.deduction_pct)} dari {base_label} melebihi porsi "
            "kehadiran; komponen kehadiran menjadi nol."
        )
    terms = []
    for band, count in facts.late_by_band:
        terms.append(f"{count}× terlambat {band.label()} × {_pct(band.pct)}")
    for band, count in facts.early_by_band:
        terms.append(f"{count}× pulang cepat {band.label()} × {_pct(band.pct)}")
    for label, count, pct in (
        ("tidak absen masuk", facts.missing_check_in, rules.missing_check_in),
        ("tidak absen pulang", facts.missing_check_out, rules.missing_check_out),
        ("tanpa keterangan", facts.absent_without_notice, rules.absent_without_notice),
    ):
        if count:
            terms.append(f"{count}× {label} × {_pct(pct)}")
    for key, count, pct in facts.leave_deductions:
        terms.append(f"{count}× {key.replace('_', ' ')} × {_pct(pct)}")
    lines = [
        Line(
            f"{prefix}Potongan kehadiran",
            _pct(facts.deduction_pct),
            " + ".join(terms) or "tidak ada potongan",
        ),
        Line(
            f"{prefix}Komponen kehadiran",
            _rp(amount),
            f"{_rp(pot)} − {_pct(facts.deduction_pct)} × {base_label} {_rp(base)}, paling sedikit "
            "Rp0" + (_CLAMPED if clamped else ""),
        ),
    ]
    return amount, lines
