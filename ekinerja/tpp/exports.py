"""Payroll documents of a locked TPP run, per paying unit or for the whole instansi:

- the daftar nominatif TPP (xlsx with one sheet per unit and a recap sheet; pdf, landscape A4, one
  section per unit with the head of unit's and the treasurer's signature blocks),
- the bank transfer csv (one line per employee paid this month),
- the recap per unit for the SP2D request (xlsx and pdf), signed by the head of BKPSDM and the
  treasurer.

The documents are signed on the day the list was locked (in the instansi's time zone; a list not
locked yet, a draft, on the day it is printed), after the instansi's place of signing when it has
one: "Kandangan, 5 November 2026" (`Payroll.signed_on`, `signed_line`, `Instansi.place`).
Signatories (`signatories`) are read from the organisation on that date, in a fixed number of
queries: the head of a unit is the holder of its top position
(`selectors.unit_heads`: Plh, else Plt, else definitif; Plt./Plh. marked), the head of BKPSDM the head
of the unit recognised as BKPSDM (`bkpsdm_unit_id`: a code such as "05.BKPSDM" or "BKD", or a name
beginning "Badan Kepegawaian"), a treasurer the holder of a "Bendahara Pengeluaran" position of the
paying unit (`treasurers`). Heads sign with their post's full name ("Kepala Badan Kepegawaian dan
Pengembangan Sumber Daya Manusia"). Where nobody holds the post the name and NIP stay dotted, to be
written by hand.

Every row's "Keterangan" explains what the figures alone do not: an amount to pay without a bank
account number (in the bank file with an empty account: BPKAD pays it outside the transfer), a
ceiling prorated for days not in post, an SKP component without a predicate, the attendance-floor
factor and the discipline-sentence cut between the components' sum and the gross (from
`Result.detail`), and the withholding, release, correction and unrecovered recovery between the net
and what is paid.

A policy with several allowances (Kota Madiun: TPP and UKK, paid from separate budget lines) adds
each allowance's ceiling and gross (`allowance_list`, from `Result.detail["allowances"]`): columns in
the xlsx sheets, a "Rincian per tunjangan" table in the pdfs (the list has no room left on A4
landscape). The combined figures are then headed "Jumlah pagu" and "Jumlah kotor"; the calculator's
gross is the sum of the allowances' grosses, each rounded, so the parts add up to it exactly. A
single allowance gives the documents as before.

Every document is built from the same stored Result rows, so their totals are equal to the rupiah to
each other and to the Run's totals: the amount paid is Result.payable (net plus releases and adjustments,
never below 0; 0 when withheld)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string

from ekinerja.core import spreadsheets
from ekinerja.core.clock import local_today
from ekinerja.core.money import format_rupiah, terbilang
from ekinerja.core.periods import Period, tanggal
from ekinerja.org.models import Position, Unit
from ekinerja.org.validation import bank_account_normalize

from . import selectors, services
from .models import Result, Run

ZERO = Decimal(0)
COLUMN_LABELS = {"attendance": "Kehadiran", "activity": "Aktivitas", "skp": "SKP"}
MONEY_FIELDS = ("ceiling", "gross", "pph21", "health_insurance", "net", "payable")


def component_keys(run: Run) -> list[str]:
    """The components of the run's policy, in policy order (several allowances: merged)."""
    data = run.policy_data or {}
    keys: list[str] = []
    groups = data.get("allowances") or [{"components": data.get("components") or []}]
    for allowance in groups:
        for c in allowance.get("components", []):
            if c["key"] not in keys:
                keys.append(c["key"])
    return keys


def component_amount(result: Result, key: str) -> Decimal:
    return Decimal((result.detail.get(key) or {}).get("amount", 0))


@dataclass(frozen=True)
class Allowance:
    """One allowance of a policy with several, as the payroll documents show it: its ceiling and
    gross per row ("Pagu Uang Kinerja", "Kotor Uang Kinerja") and their totals (keyed
    `ceiling_key` and `gross_key` in the totals dicts)."""

    key: str
    name: str

    @property
    def ceiling_label(self) -> str:
        return f"Pagu {self.name}"

    @property
    def gross_label(self) -> str:
        return f"Kotor {self.name}"

    @property
    def ceiling_key(self) -> str:
        return f"ceiling:{self.key}"

    @property
    def gross_key(self) -> str:
        return f"gross:{self.key}"


def allowance_list(run: Run) -> list[Allowance]:
    """The allowances of the run's policy when it has several (Madiun: TPP and UKK), in policy
    order; [] for a single one (the documents show only the combined figures, as always)."""
    groups = (run.policy_data or {}).get("allowances") or []
    if len(groups) < 2:
        return []
    return [Allowance(a["key"], a.get("name") or a["key"]) for a in groups]


def figure(result: Result, key: str) -> Decimal:
    """A money figure of a row by its totals key: a field ("ceiling", "gross") or an allowance's
    ceiling or gross ("ceiling:ukk", from `detail.allowances`; 0 for a row without it, such as a
    payment-only row)."""
    if ":" not in key:
        return getattr(result, key)
    field_name, allowance = key.split(":", 1)
    found = ((result.detail or {}).get("allowances") or {}).get(allowance) or {}
    return Decimal(found.get(field_name, 0))


def _pct(value) -> str:
    """A percentage in Indonesian notation: 75%, 68,18%."""
    number = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".") + "%"


def gross_remark(result: Result) -> str:
    """Why the gross is not the components' sum: the attendance-floor factor and/or the discipline
    sentence's cut recorded by the calculator (`detail.floor_pct`, `presence_rate`, `sentence_pct`,
    `sentence_level`, `subtotal`); "" when neither applies."""
    d = result.detail or {}
    if d.get("payment_only"):
        return ""
    floor = Decimal(str(d["floor_pct"])) if d.get("floor_pct") is not None else Decimal(100)
    cut = Decimal(str(d.get("sentence_pct") or 0))
    if floor >= 100 and cut <= 0:
        return ""
    reasons, factors = [], []
    if floor < 100:
        rate = d.get("presence_rate")
        reasons.append(
            f"faktor kehadiran minimum {_pct(floor)}"
            + (f" (tingkat kehadiran {_pct(rate)})" if rate is not None else "")
        )
        factors.append(_pct(floor))
    if cut > 0:
        level = str(d.get("sentence_level") or "").replace("_", " ")
        reasons.append(" ".join(f"hukuman disiplin {level} dipotong {_pct(cut)}".split()))
        factors.append(f"(100% − {_pct(cut)})")
    allowances = d.get("allowances") or {}
    if len(allowances) > 1:
        # Each allowance's gross is rounded on its own and the gross is their sum, which can be a
        # rupiah off the components' sum times the factors: each allowance's line is written out.
        names = d.get("allowance_names") or {}
        parts = []
        for key, a in allowances.items():
            own = sum(
                (Decimal(v.get("amount", 0)) for v in a.values() if isinstance(v, dict)), ZERO
            )
            parts.append(
                f"{names.get(key, key)} {format_rupiah(own)} × {' × '.join(factors)} = "
                f"{format_rupiah(Decimal(a.get('gross', 0)))}"
            )
        text = (
            f"{'; '.join(reasons)}: jumlah komponen {', '.join(parts)}; "
            f"jumlah kotor {format_rupiah(result.gross)}"
        )
        return text[0].upper() + text[1:]
    subtotal = d.get("subtotal")
    if subtotal is None:  # an older result: the components' amounts
        subtotal = sum((component_amount(result, k) for k in d.get("pots") or {}), ZERO)
    text = (
        f"{'; '.join(reasons)}: jumlah komponen {format_rupiah(Decimal(subtotal))} × "
        f"{' × '.join(factors)} = TPP kotor {format_rupiah(result.gross)}"
    )
    return text[0].upper() + text[1:]


def ceiling_remark(result: Result) -> str:
    """Why the ceiling is below the kelas's: days of the month not in post (hired, retired or moved
    mid-month, a leave without TPP such as CLTN), over which the calculator prorates it
    (`detail.days_in_post`, `working_days`): "Pagu diprorata: menjabat 0 dari 21 hari kerja". A row
    of zeros said nothing at all."""
    d = result.detail or {}
    days, working = d.get("days_in_post"), d.get("working_days")
    if d.get("payment_only") or days is None or not working or days >= working:
        return ""
    return f"Pagu diprorata: menjabat {days} dari {working} hari kerja"


def payment_remark(result: Result) -> str:
    """Why what is paid is not the net: withholding, release, correction, unrecovered recovery."""
    parts = []
    if (result.detail or {}).get("payment_only"):
        parts.append("Tanpa jabatan pada bulan ini: hanya pembayaran")
    if result.withheld:
        parts.append(f"Ditahan: {result.withheld_reason}")
    sources = getattr(result, "payment_sources", None) or []
    if result.released:
        parts.append(_sourced("Pelepasan penahanan", result.released, sources, "released"))
    if result.adjustment:
        parts.append(_sourced("Koreksi", result.adjustment, sources, "adjustment"))
    rest = services.unrecovered(result)
    if rest:
        parts.append(f"Sisa potongan {format_rupiah(rest)} belum terpotong")
    return "; ".join(parts)


def _sourced(label: str, total: Decimal, sources: list, kind: str) -> str:
    """ "Koreksi TPP Agustus 2026 Rp150.000", or one part per month ("Pelepasan penahanan TPP Juli
    2026 Rp1.000.000, TPP Agustus 2026 Rp900.000"): the month each amount belongs to, from
    `payment_sources`. A recovery's carried rest says so. Without sources (an older result, or
    figures that no longer add up to the row's) just the total, as the row stores it."""
    mine = [s for s in sources if s.kind == kind]
    if not mine or sum((s.amount for s in mine), ZERO) != total:
        return f"{label} {format_rupiah(total)}"
    parts = [
        f"{'sisa potongan ' if s.carried else ''}TPP {Period.parse(s.period).label} "
        f"{format_rupiah(s.amount)}"
        for s in mine
    ]
    return f"{label} {', '.join(parts)}"


NO_ACCOUNT = "Nomor rekening belum ada: tidak dapat ditransfer"


def account_number(result: Result) -> str:
    """The row's bank account number as the documents print it: without the spaces around it (an
    imported "   " or " 0123456789"). The bank csv used to carry them, so an account of spaces
    passed a filter on empty `no_rekening` and a real one failed the bank's upload check. Digits
    only (org.validation.bank_account_normalize): a month computed before accounts were stored so
    still holds "0012-34-5678", which the bank's bulk-transfer upload refuses."""
    return bank_account_normalize(result.bank_account)


def account_remark(result: Result) -> str:
    """An amount to pay without a bank account number: the row is in the bank file (its total is
    the list's) with an empty account, which the bank cannot transfer; BPKAD pays it outside the
    file. The same rows as `selectors.without_bank_account` (an account of spaces counts as none)."""
    if result.payable > 0 and not account_number(result):
        return NO_ACCOUNT
    return ""


def skp_remark(result: Result) -> str:
    """The SKP component of a month without a predicate (the superior has not rated it): the policy's
    'belum dinilai' percentage, often 0%, is used ("Predikat SKP belum ada (komponen SKP dihitung
    0%)"). Only when the policy has an SKP component (`detail.pots`, or an allowance's own); read
    from `detail.skp`, no query."""
    d = result.detail or {}
    skp = d.get("skp")
    if d.get("payment_only") or not isinstance(skp, dict) or "predicate" not in skp:
        return ""
    if skp["predicate"]:
        return ""
    allowances = d.get("allowances") or {}
    has_skp = "skp" in (d.get("pots") or {}) or any(
        isinstance(a, dict) and "skp" in a for a in allowances.values()
    )
    if not has_skp:
        return ""
    pct = skp.get("pct")
    return "Predikat SKP belum ada" + (
        f" (komponen SKP dihitung {_pct(pct)})" if pct is not None else ""
    )


def remark(result: Result) -> str:
    """The row's Keterangan: an amount that cannot be transferred (no account number, first), why the
    ceiling is prorated, an SKP component without a predicate, what takes the components' sum to
    the gross and the net to the amount paid, so BPKAD can reconcile every row (withholding first
    after the account, as the most important)."""
    pay, gross = payment_remark(result), gross_remark(result)
    ceiling, skp = ceiling_remark(result), skp_remark(result)
    account = account_remark(result)
    if result.withheld:
        return "; ".join(p for p in (account, pay, ceiling, skp, gross) if p)
    return "; ".join(p for p in (account, ceiling, skp, gross, pay) if p)


DOTS = "...................................."


@dataclass(frozen=True)
class Signatory:
    """A signature block: the post signing (with Plt./Plh. when acting) and its holder on the
    document's date; name and NIP empty when nobody holds the post (the document shows dots)."""

    title: str
    name: str = ""
    nip: str = ""

    @classmethod
    def of(cls, holder: selectors.UnitHead | None, title: str) -> Signatory:
        if holder is None:
            return cls(title)
        return cls(f"{holder.acting} {title}".strip(), holder.name, holder.nip)

    @property
    def signed_name(self) -> str:
        return self.name or DOTS

    @property
    def signed_nip(self) -> str:
        return self.nip or DOTS


TREASURER = "Bendahara Pengeluaran"
BKPSDM_TITLE = "Kepala BKPSDM"
#: Codes (or parts of a code such as "05.BKPSDM") of the personnel agency under its usual names.
BKPSDM_CODES = frozenset({"BKPSDM", "BKPSDMD", "BKD", "BKDD", "BKPP", "BKPPD", "BKDPSDM"})


@dataclass
class Section:
    """One paying unit's part of the list."""

    unit: Unit | None
    rows: list[Result] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)
    head: selectors.UnitHead | None = None
    signer: Signatory | None = None  # the head of the unit
    treasurer: Signatory | None = None
    columns: list[float] = field(default_factory=list)  # the pdf's widths (nominatif_columns)
    split_columns: list[float] = field(default_factory=list)  # its Rincian's (split_columns_mm)

    @property
    def title(self) -> str:
        return self.unit.name if self.unit is not None else "Tanpa unit"

    @property
    def lines(self) -> list[tuple[Result, str, str]]:
        """Each row with its Keterangan (`remark`) and its account number as the bank csv and the
        xlsx write it (`account_number`: digits only, "" for none), for the pdf. The pdf printed
        the stored "0012-34-5678" beside the csv's 0012345678, in a column sized for the digits."""
        return [(r, remark(r), account_number(r)) for r in self.rows]

    @property
    def paid_line(self) -> str:
        """From the unit's net to what it pays, when they differ (`paid_summary`)."""
        return paid_summary(_with_extra(self.totals, self.rows))


@dataclass
class Payroll:
    run: Run
    period: Period
    keys: list[str]
    sections: list[Section]
    totals: dict[str, Decimal]
    bkpsdm: Signatory = field(default_factory=lambda: Signatory(BKPSDM_TITLE))
    treasurer: Signatory = field(default_factory=lambda: Signatory(TREASURER))  # the recap's
    allowances: list[Allowance] = field(default_factory=list)  # several only (allowance_list)
    #: The day a draft (a list not locked) is printed: its signature date (`signed_on`).
    printed_on: dt.date | None = None

    @property
    def labels(self) -> list[str]:
        return [COLUMN_LABELS.get(k, k) for k in self.keys]

    @property
    def ceiling_label(self) -> str:
        """The combined ceiling's header: "Pagu TPP", or "Jumlah pagu" beside the allowances' own
        (an allowance may itself be named TPP)."""
        return "Jumlah pagu" if self.allowances else "Pagu TPP"

    @property
    def short_ceiling_label(self) -> str:  # the pdf list's
        return "Jumlah pagu" if self.allowances else "Pagu"

    @property
    def gross_label(self) -> str:
        return "Jumlah kotor" if self.allowances else "TPP kotor"

    @property
    def split_columns(self) -> list[tuple[str, str]]:
        """(header, totals key) of the per-allowance figures with the combined ones after them:
        each allowance's ceiling, the combined ceiling, each allowance's gross, the combined gross
        (the pdfs' "Rincian per tunjangan", the recaps). [] for a single allowance."""
        if not self.allowances:
            return []
        return [
            *[(a.ceiling_label, a.ceiling_key) for a in self.allowances],
            (self.ceiling_label, "ceiling"),
            *[(a.gross_label, a.gross_key) for a in self.allowances],
            (self.gross_label, "gross"),
        ]

    @property
    def signed_on(self) -> dt.date:
        """The signature date: the day the list was locked, in the instansi's time zone (locked at
        23:30 UTC on 4 November is the 5th in Kandangan); a list not locked yet (a draft print) the
        day it is printed (`printed_on`, else the instansi's today). It used to be the month's last
        day, a date before the list existed and often a Saturday."""
        run = self.run
        if run.locked_at is not None and run.state in services.LOCKED_STATES:
            return run.locked_at.astimezone(zoneinfo.ZoneInfo(run.instansi.timezone)).date()
        return self.printed_on or local_today(run.instansi)

    @property
    def signed_line(self) -> str:
        """The line above the treasurer's post: the place of signing and the date, "Kandangan, 5
        November 2026"; the date alone when the instansi has no place (`Instansi.place`)."""
        place = " ".join((self.run.instansi.place or "").split())
        day = tanggal(self.signed_on)
        return f"{place}, {day}" if place else day


def _sum(
    rows: list[Result], keys: list[str], allowances: list[Allowance] | None = None
) -> dict[str, Decimal]:
    totals = {f: ZERO for f in MONEY_FIELDS}
    totals.update({k: ZERO for k in keys})
    split = [k for a in allowances or [] for k in (a.ceiling_key, a.gross_key)]
    totals.update({k: ZERO for k in split})
    totals["employees"] = Decimal(len(rows))
    totals["withheld"] = ZERO
    for r in rows:
        for f in MONEY_FIELDS:
            totals[f] += getattr(r, f)
        for k in keys:
            totals[k] += component_amount(r, k)
        for k in split:
            totals[k] += figure(r, k)
        if r.withheld:
            totals["withheld"] += services.due_amount(r)  # what the release will pay
    return totals


def bkpsdm_unit_id(tree: selectors.UnitTree) -> int | None:
    """The unit that is BKPSDM (the personnel agency, whatever the Pemda calls it): a code or a part
    of it among BKPSDM_CODES ("05.BKPSDM", "BKD"), or a name beginning "Badan Kepegawaian". An OPD
    before a sub-unit, then the lowest code. There is no field marking it; None when none matches."""
    found = []
    for uid, code in tree.code.items():
        parts = set(re.split(r"[^A-Z0-9]+", (code or "").upper()))
        name = " ".join((tree.name.get(uid) or "").lower().split())
        if parts & BKPSDM_CODES or name.startswith("badan kepegawaian"):
            found.append((tree.kind.get(uid) != Unit.Kind.OPD, code, uid))
    return min(found)[2] if found else None


def treasurers(
    run: Run, tree: selectors.UnitTree, unit_ids: set[int], on: dt.date
) -> dict[int, selectors.UnitHead]:
    """The treasurer (bendahara pengeluaran) of each paying unit on a date: the holder of a position
    named "Bendahara Pengeluaran..." (not a "...Pembantu" of a sub-unit), or else "Bendahara", in the
    unit or a sub-unit it pays; a position in the unit itself first, then the highest kelas. Holders
    as for the head: Plh, else Plt, else definitif, the lowest NIP among equals (two queries)."""
    from django.db.models import Q

    best: dict[int, tuple] = {}
    for pid, uid, kelas, name in (
        Position.objects.filter(instansi=run.instansi)
        .filter(Q(name__istartswith="bendahara pengeluaran") | Q(name__iexact="bendahara"))
        .exclude(name__icontains="pembantu")
        .order_by()
        .values_list("id", "unit_id", "kelas", "name")
    ):
        paying = tree.opd_of(uid)
        if paying not in unit_ids:
            continue
        key = (not name.lower().startswith("bendahara pengeluaran"), uid != paying, -kelas, pid)
        if paying not in best or key < best[paying][0]:
            best[paying] = (key, pid)
    holders = selectors.position_holders([b[1] for b in best.values()], on)
    return {
        uid: selectors.UnitHead(*holders[pid][:2], TREASURER, holders[pid][2])
        for uid, (_key, pid) in best.items()
        if pid in holders
    }


def signatories(data: Payroll, unit: Unit | None = None) -> None:
    """Fills in who signs, on the document's date: per section the head of the unit and its
    treasurer; for the recap the head of BKPSDM, and the treasurer of the unit (one unit's
    documents) or of BKPSDM (the whole instansi's). At most five queries, whatever the number of
    units."""
    run, on = data.run, data.signed_on
    tree = selectors.UnitTree.load(run.instansi)
    bkpsdm = bkpsdm_unit_id(tree)
    ids = {s.unit.id for s in data.sections if s.unit is not None}
    if unit is not None:
        ids.add(unit.id)
    wanted = ids | ({bkpsdm} if bkpsdm is not None else set())
    heads = selectors.unit_heads(run.instansi, wanted, on)
    paid_by = treasurers(run, tree, wanted, on)
    for s in data.sections:
        if s.unit is None:
            s.signer, s.treasurer = Signatory("Kepala"), Signatory(TREASURER)
            continue
        s.head = heads.get(s.unit.id)
        s.signer = Signatory.of(s.head, s.head.position if s.head else f"Kepala {s.title}")
        s.treasurer = Signatory.of(paid_by.get(s.unit.id), TREASURER)
    # The head of BKPSDM signs with the post's full name, as the heads of units do; nobody in post:
    # "Kepala <the unit's name>", or "Kepala BKPSDM" when no unit is recognised as BKPSDM.
    chief = heads.get(bkpsdm) if bkpsdm is not None else None
    unit_name = tree.name.get(bkpsdm) if bkpsdm is not None else None
    data.bkpsdm = Signatory.of(
        chief, chief.position if chief else (f"Kepala {unit_name}" if unit_name else BKPSDM_TITLE)
    )
    scope = unit.id if unit is not None else bkpsdm
    data.treasurer = Signatory.of(paid_by.get(scope) if scope is not None else None, TREASURER)


def payroll(run: Run, unit: Unit | None = None, signed: bool = False) -> Payroll:
    """The list's content, grouped by paying unit (one query; two more when a row pays a release or a
    correction: the months they come from); with `signed`, who signs it too (`signatories`, five
    more)."""
    rows = selectors.payroll_results(run, unit)
    paid_more = [r.employee_id for r in rows if r.released or r.adjustment]
    if paid_more:  # the months behind releases and corrections, for the Keterangan
        sources = selectors.payment_sources(run.instansi_id, Period.parse(run.period), paid_more)
        for r in rows:
            r.payment_sources = sources.get(r.employee_id, [])
    data = _grouped(run, rows, allowance_list(run))
    if signed:
        signatories(data, unit)
    return data


def _grouped(run: Run, rows: list[Result], allowances: list[Allowance]) -> Payroll:
    """The rows (in `selectors.payroll_results` order) grouped by paying unit, each unit's totals
    and the grand totals (`_sum`): what every document, and the run page's split recap, adds up."""
    keys = component_keys(run)
    sections: list[Section] = []
    for r in rows:
        if not sections or sections[-1].unit != r.unit:
            sections.append(Section(r.unit))
        sections[-1].rows.append(r)
    for s in sections:
        s.totals = _sum(s.rows, keys, allowances)
    data = Payroll(run, Period.parse(run.period), keys, sections, _sum(rows, keys, allowances))
    data.allowances = allowances
    return data


def allowance_recap(run: Run) -> Payroll | None:
    """The recap's figures for the run page's "Rekap per unit" when the run's policy has several
    allowances: the same rows, grouped and summed by the same code as the documents' recap
    (`payroll`, `recap_columns`, the pdfs' Rincian per tunjangan), so each allowance's unit totals
    there are the documents' to the rupiah. One query; without the Keterangan's payment sources
    and the signatories, which the page does not show. None for a single allowance (no query):
    the page shows the combined figures only, as always."""
    allowances = allowance_list(run)
    if not allowances:
        return None
    return _grouped(run, selectors.payroll_results(run), allowances)


def filename(run: Run, kind: str, unit: Unit | None, ext: str) -> str:
    scope = unit.code if unit is not None else run.instansi.code
    return f"TPP-{run.period}-{kind}-{scope}.{ext}".replace("/", "-").replace(" ", "-")


# --------------------------------------------------------------------------------------------------
# xlsx


SHEET_MAX = 31  # Excel's limit on a sheet's name
SHEET_FORBIDDEN = "[]:*?/\\"
ELLIPSIS = "…"


def _sheet_clean(text: str) -> str:
    """Forbidden characters as spaces, runs of spaces as one, no apostrophe at either end."""
    text = "".join(" " if ch in SHEET_FORBIDDEN or ch < " " else ch for ch in text or "")
    return " ".join(text.split()).strip("'").strip()


def _sheet_cut(text: str, room: int) -> str:
    """`text` if it fits in `room` characters, else its start ending with an ellipsis, never with a
    space or a punctuation mark before it."""
    if len(text) <= room:
        return text
    return text[: room - 1].rstrip(" .,;-'") + ELLIPSIS


def _sheet_name(name: str, used: set[str], code: str = "") -> str:
    """A sheet's name, unique in the workbook (Excel compares them without case), at most 31
    characters, without []:*?/\\ and without a space at either end: the unit's name when it fits,
    else its code and as much of the name as fits ("4.01 Badan Pengelolaan Keuanga…"). The full name
    is in the sheet's title row."""
    full = _sheet_clean(name) or "Unit"
    code = _sheet_clean(code)
    if len(full) <= SHEET_MAX:
        base = full
    elif code and len(code) <= SHEET_MAX - 8:
        base = f"{code} {_sheet_cut(full, SHEET_MAX - len(code) - 1)}"
    else:
        base = _sheet_cut(full, SHEET_MAX)
    candidate, n = base, 2
    while candidate.lower() in used or candidate.lower() == "history":  # Excel reserves History
        suffix = f" ({n})"
        candidate = _sheet_cut(base, SHEET_MAX - len(suffix)).rstrip() + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


#: Excel keeps at most 255 characters of a page header; the sheet's own title row has the rest.
HEADER_MAX = 200


def _print_setup(
    ws, data: Payroll, header_row: int, heading: str = "", frozen_columns: int = 0
) -> None:
    """A sheet printed as the pdf is: A4 landscape, every column on the page's width (as many pages
    down as needed), the table's header row on every page, a footer naming the list with the page
    number ("Halaman 2 dari 3"), and a page header naming what the sheet lists (`heading`: the
    unit, "Daftar nominatif TPP Oktober 2026 · 1.01 Dinas Pendidikan"), so that no page of a signed
    list can be taken for another's: a long unit's second page showed only the table's header.
    On screen the rows up to the table's header and the first `frozen_columns` columns (No, NIP,
    Nama; No and the unit on a recap) stay in view while scrolling: a unit of 210 rows and 18
    columns used to scroll its headers and names away."""
    ws.freeze_panes(header_row + 1, frozen_columns)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    label = f"TPP {data.period.label} · {data.run.instansi.name}".replace("&", "&&")
    ws.set_footer(f"&L&8{label}&R&8Halaman &P dari &N")
    if heading:
        ws.set_header(f"&L&8{_sheet_cut(heading, HEADER_MAX).replace('&', '&&')}")


def _sign_block(
    ws, row: int, left: tuple[int, Signatory], right: tuple[int, Signatory], signed_line: str, bold
):
    """Two signature blocks from `row`: 'Mengetahui,' and the post on the left, the place and date
    ("Kandangan, 5 November 2026": `Payroll.signed_line`) and the post on the right, the holders'
    names and NIPs five rows below (dots where nobody holds it)."""
    (lc, lsig), (rc, rsig) = left, right
    ws.write(row, lc, "Mengetahui,")
    ws.write(row, rc, signed_line)
    for col, sig in ((lc, lsig), (rc, rsig)):
        ws.write(row + 1, col, sig.title)
        ws.write(row + 5, col, sig.signed_name, bold)
        ws.write(row + 6, col, f"NIP {sig.signed_nip}")


def nominatif_xlsx(run: Run, unit: Unit | None = None) -> bytes:
    """The daftar nominatif TPP as an xlsx workbook: one sheet per paying unit ending with its
    JUMLAH row, and a 'Rekap' sheet with one row per unit and the grand total."""
    data = payroll(run, unit, signed=True)
    out = io.BytesIO()
    wb = spreadsheets.workbook(out)  # names, posts, banks, remarks stay text, never formulas
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 12})
    head = wb.add_format(
        {"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell = wb.add_format({"border": 1, "valign": "top"})
    text = wb.add_format({"border": 1, "valign": "top", "num_format": "@"})
    # Names, posts, banks and remarks wrap in their column: a long one is never cut off at the
    # next cell (the row grows instead).
    note = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    money = wb.add_format({"border": 1, "num_format": "#,##0", "valign": "top"})
    total_money = wb.add_format({"border": 1, "num_format": "#,##0", "bold": True})
    total_label = wb.add_format({"border": 1, "bold": True})
    headers = [
        "No",
        "NIP",
        "Nama",
        "Gol.",
        "Kelas",
        "Jabatan",
        *[a.ceiling_label for a in data.allowances],
        data.ceiling_label,
        *data.labels,
        *[a.gross_label for a in data.allowances],
        data.gross_label,
        "PPh 21",
        "Iuran BPJS",
        "TPP bersih",
        "Dibayarkan",
        "Bank",
        "No. rekening",
        "Keterangan",
    ]
    # Several allowances: each one's ceiling before the combined one, each one's gross before the
    # combined gross (ceiling_keys, gross_keys: the totals keys of those columns, in order).
    ceiling_keys = [a.ceiling_key for a in data.allowances] + ["ceiling"]
    gross_keys = [a.gross_key for a in data.allowances] + ["gross"]
    figures = len(ceiling_keys) + len(data.keys) + len(gross_keys)
    widths = [5, 21, 30, 7, 6, 30, *[14] * figures, 13, 12, 14, 14, 14, 18, 45]
    used: set[str] = {"rekap"}  # the recap sheet's, added last
    for section in data.sections:
        code = section.unit.code if section.unit is not None else ""
        ws = wb.add_worksheet(_sheet_name(section.title, used, code))
        unit_label = f"{code} {section.title}".strip()
        heading = f"Daftar nominatif TPP {data.period.label} · {unit_label}"
        _print_setup(ws, data, header_row=4, heading=heading, frozen_columns=3)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.write(0, 0, f"DAFTAR NOMINATIF TPP BULAN {data.period.label.upper()}", title)
        ws.write(1, 0, f"{run.instansi.name} · {unit_label}", bold)
        ws.write(2, 0, f"Kebijakan: {(run.policy_data or {}).get('name', '-')}")
        ws.write_row(4, 0, headers, head)
        row = 5
        for n, r in enumerate(section.rows, start=1):
            values = [
                (n, cell),
                (r.nip, text),
                (r.name, note),
                (r.golongan, cell),
                (r.kelas, cell),
                (r.position_name, note),
                *[(int(figure(r, k)), money) for k in ceiling_keys],
                *[(int(component_amount(r, k)), money) for k in data.keys],
                *[(int(figure(r, k)), money) for k in gross_keys],
                (int(r.pph21), money),
                (int(r.health_insurance), money),
                (int(r.net), money),
                (int(r.payable), money),
                (r.bank_name, note),
                (account_number(r), text),
                (remark(r), note),
            ]
            for col, (value, fmt) in enumerate(values):
                ws.write(row, col, value, fmt)
            row += 1
        t = section.totals
        ws.merge_range(row, 0, row, 5, "JUMLAH", total_label)
        sums = [
            *[t[k] for k in ceiling_keys],
            *[t[k] for k in data.keys],
            *[t[k] for k in gross_keys],
            t["pph21"],
            t["health_insurance"],
            t["net"],
            t["payable"],
        ]
        for col, value in enumerate(sums, start=6):
            ws.write_number(row, col, int(value), total_money)
        if paid := section.paid_line:
            ws.write(row + 1, 0, paid)
        ws.write(row + 2, 0, f"Terbilang: {terbilang(t['payable'])}", bold)
        _sign_block(
            ws, row + 4, (2, section.signer), (9, section.treasurer), data.signed_line, bold
        )
    _recap_sheet(wb, data, used, head, cell, money, total_label, total_money, title, bold)
    wb.close()
    return out.getvalue()


RECAP_HEADERS = [
    "No",
    "Unit kerja",
    "Pegawai",
    "TPP kotor",
    "PPh 21",
    "Iuran BPJS",
    "TPP bersih",
    "Ditahan",
    "Pelepasan",
    "Koreksi",
    "Sisa potongan",
    "Dibayarkan",
]
#: The recap's figures after "Unit kerja", as totals keys (RECAP_HEADERS[2:]).
RECAP_KEYS = [
    "employees",
    "gross",
    "pph21",
    "health_insurance",
    "net",
    "withheld",
    "released",
    "adjustment",
    "unrecovered",
    "payable",
]


def recap_columns(data: Payroll) -> list[tuple[str, str]]:
    """(header, totals key) of the xlsx recap's figures: RECAP_HEADERS, and with several allowances
    each one's ceiling, the combined ceiling and each one's gross before the combined gross
    ("Jumlah kotor"): BPKAD pays each allowance from its own budget line."""
    columns = list(zip(RECAP_HEADERS[2:], RECAP_KEYS, strict=True))
    if data.allowances:
        columns[1:2] = data.split_columns
    return columns


def _recap_values(t: dict, columns: list[tuple[str, str]]) -> list[int]:
    return [int(sum_field(t, key)) for _header, key in columns]


def sum_field(t: dict, name: str) -> Decimal:
    return t.get(name, ZERO)


def _recap_sheet(
    wb, data, used, head, cell, money, total_label, total_money, title, bold, signed=False
):
    used.discard("rekap")
    ws = wb.add_worksheet(_sheet_name("Rekap", used))
    _print_setup(
        ws, data, header_row=3, heading=f"Rekapitulasi TPP {data.period.label}", frozen_columns=2
    )
    unit_name = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 40)
    columns = recap_columns(data)
    ws.set_column(2, len(columns) + 1, 15)
    ws.write(0, 0, f"REKAPITULASI TPP PER UNIT KERJA BULAN {data.period.label.upper()}", title)
    ws.write(1, 0, data.run.instansi.name, bold)
    ws.write_row(3, 0, ["No", "Unit kerja", *[h for h, _key in columns]], head)
    row = 4
    for n, s in enumerate(data.sections, start=1):
        ws.write(row, 0, n, cell)
        ws.write(row, 1, s.title, unit_name)
        for col, v in enumerate(_recap_values(_with_extra(s.totals, s.rows), columns), start=2):
            ws.write_number(row, col, v, money)
        row += 1
    ws.merge_range(row, 0, row, 1, "JUMLAH", total_label)
    all_rows = [r for s in data.sections for r in s.rows]
    for col, v in enumerate(_recap_values(_with_extra(data.totals, all_rows), columns), start=2):
        ws.write_number(row, col, v, total_money)
    ws.write(row + 2, 0, f"Terbilang: {terbilang(data.totals['payable'])}", bold)
    if signed:  # the SP2D recap: the head of BKPSDM and the treasurer sign
        _sign_block(ws, row + 4, (1, data.bkpsdm), (9, data.treasurer), data.signed_line, bold)


def _with_extra(totals: dict, rows: list[Result]) -> dict:
    out = dict(totals)
    out["released"] = sum((r.released for r in rows), ZERO)
    out["adjustment"] = sum((r.adjustment for r in rows), ZERO)
    out["unrecovered"] = sum((services.unrecovered(r) for r in rows), ZERO)
    return out


def paid_summary(t: dict) -> str:
    """How a list's total net becomes its total paid, under its JUMLAH row, when they differ:
    "TPP bersih Rp18.058.713 − ditahan Rp2.881.688 + koreksi Rp150.000 = dibayarkan Rp15.327.025"
    (`_with_extra` totals; net - withheld + released + adjustment + unrecovered = payable,
    `services.unrecovered`). A unit's list showed only the two totals, its withheld and corrected
    amounts only row by row, and the unit's pdf has no recap page. "" when nothing differs."""
    terms = [
        ("ditahan", -sum_field(t, "withheld")),
        ("pelepasan", sum_field(t, "released")),
        ("koreksi", sum_field(t, "adjustment")),
        ("sisa potongan belum terpotong", sum_field(t, "unrecovered")),
    ]
    terms = [(label, amount) for label, amount in terms if amount]
    if not terms:  # then what is paid is the net
        return ""
    parts = [f"TPP bersih {format_rupiah(t['net'])}"]
    parts += [f"{'−' if v < 0 else '+'} {label} {format_rupiah(abs(v))}" for label, v in terms]
    return f"{' '.join(parts)} = dibayarkan {format_rupiah(t['payable'])}"


def recap_rows(data: Payroll) -> list[tuple[str, dict]]:
    rows = [(s.title, _with_extra(s.totals, s.rows)) for s in data.sections]
    return rows


def recap_xlsx(run: Run, unit: Unit | None = None) -> bytes:
    """The recap per unit for the SP2D request, alone."""
    data = payroll(run, unit, signed=True)
    out = io.BytesIO()
    wb = spreadsheets.workbook(out)  # unit names and signatories stay text
    f = {
        "head": wb.add_format(
            {"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True}
        ),
        "cell": wb.add_format({"border": 1}),
        "money": wb.add_format({"border": 1, "num_format": "#,##0"}),
        "total_label": wb.add_format({"border": 1, "bold": True}),
        "total_money": wb.add_format({"border": 1, "num_format": "#,##0", "bold": True}),
        "title": wb.add_format({"bold": True, "font_size": 12}),
        "bold": wb.add_format({"bold": True}),
    }
    _recap_sheet(
        wb,
        data,
        set(),
        f["head"],
        f["cell"],
        f["money"],
        f["total_label"],
        f["total_money"],
        f["title"],
        f["bold"],
        signed=True,
    )
    wb.close()
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# pdf


def _pdf(template: str, context: dict) -> bytes:
    from ekinerja.core.pdf import html_to_pdf

    return html_to_pdf(render_to_string(template, context))


#: Advance widths (em) of DejaVu Sans, the pdf's first font, rounded up: digits 0.636, "." and
#: "," 0.318, "/" 0.337, "-" 0.361, "R" 0.695, "p" 0.635; an average capital 0.67, small letter
#: 0.56; bold about 9% wider. Liberation Sans, the fallback, is narrower (digits 0.556), so a
#: figure measured here never overflows its column.
_EM = {
    **dict.fromkeys("0123456789", 0.64),
    ".": 0.32,
    ",": 0.32,
    " ": 0.32,
    "/": 0.34,
    "-": 0.37,
    "R": 0.70,
    "p": 0.64,
}
BOLD = 1.1
PT_MM = 25.4 / 72
LIST_PT, TOTAL_PT = 6.0, 5.5  # table.list's font size, its total row's (_style.html)
CELL_PAD_MM = 4.5 * PT_MM  # 2 pt padding each side and the 0.5 pt rule, rounded up
PAGE_MM = 297.0 - 20  # A4 landscape less the @page margins (the body has none: _style.html)


def _text_mm(text: str, pt: float = LIST_PT, bold: bool = False) -> float:
    em = sum(_EM.get(c, 0.70 if c.isupper() else 0.58) for c in text)
    return em * (BOLD if bold else 1) * pt * PT_MM


def _word_mm(texts, pt: float = LIST_PT, bold: bool = False) -> float:
    """The widest word among `texts` (a column that wraps is never narrower than that)."""
    return max((_text_mm(w, pt, bold) for t in texts for w in str(t or "").split()), default=0.0)


def _fixed_mm(header: str, cells, sums=()) -> float:
    """The width in mm of a column that never wraps: its widest text (rows at 6 pt, the total bold
    at 5.5 pt, the header's longest word bold)."""
    return CELL_PAD_MM + max(
        [_word_mm([header], bold=True)]
        + [_text_mm(c) for c in cells]
        + [_text_mm(c, TOTAL_PT, bold=True) for c in sums]
    )


def _money_mm(header: str, values, sums) -> float:
    return _fixed_mm(header, map(format_rupiah, values), map(format_rupiah, sums))


def _lines(text: str, width: float) -> int:
    """The lines `text` takes in a content width of `width` mm, broken at spaces (6 pt)."""
    space, lines, used = _text_mm(" "), 1, 0.0
    for word in text.split():
        w = _text_mm(word)
        if used and used + space + w > width:
            lines, used = lines + 1, w
        else:
            used = used + space + w if used else w
    return lines


def _width_for(texts: list[str], lines: int, low: float, high: float) -> float:
    """The narrowest content width in [low, high] mm at which each of `texts` takes at most `lines`
    lines (`_lines`)."""
    if high <= low or all(_lines(t, low) <= lines for t in texts):
        return low
    for _ in range(16):
        mid = (low + high) / 2
        if all(_lines(t, mid) <= lines for t in texts):
            high = mid
        else:
            low = mid
    return high


#: The texts that decide a wrapping column's width (the longest; all of them is slow for 3000 rows).
WIDEST_TEXTS = 24


def nominatif_columns(data: Payroll, section: Section) -> list[float]:
    """The width in mm of each column of a section's pdf list, for `table-layout: fixed`:
    WeasyPrint's automatic table layout measured every cell of every row (a fifth of the CPU of a
    600-employee list) and, with nine-digit unit totals, left Jabatan 15-18 mm (a long position
    name over seven lines: 127 employees on 11 pages). From estimated text widths (`_text_mm`):
    the columns that never wrap (No, Gol. / Kelas, the figures: rows at 6 pt, the total bold at
    5.5 pt, the header's longest word) are as wide as their widest text. NIP / Nama (never
    narrower than an NIP), Jabatan and Rekening (never narrower than an account number) share the
    rest so that a row takes as few lines as possible: the smallest number of lines L at which the
    longest position names fit in L lines and the longest names and bank names in L - 1 (under
    the NIP, above the account); what is left goes to them in proportion to how much more their
    longest text wants. The Keterangan is a line under its row across the page, not a column.
    The last width is Rekening's. [] when the narrowest widths do not fit the page: that section
    keeps the automatic layout."""
    rows, totals = section.rows, [section.totals]
    figures = [
        _money_mm(
            data.short_ceiling_label, [r.ceiling for r in rows], [t["ceiling"] for t in totals]
        ),
        *[
            _money_mm(label, [component_amount(r, k) for r in rows], [t[k] for t in totals])
            for k, label in zip(data.keys, data.labels, strict=True)
        ],
    ]
    for f, label in (
        ("gross", data.gross_label),
        ("pph21", "PPh 21"),
        ("health_insurance", "Iuran BPJS"),
        ("net", "TPP bersih"),
        ("payable", "Dibayarkan"),
    ):
        figures.append(_money_mm(label, [getattr(r, f) for r in rows], [t[f] for t in totals]))
    number = _fixed_mm("No", [str(len(rows))])
    grade = _fixed_mm(
        "Gol. / Kelas", [r.golongan or "-" for r in rows] + [str(r.kelas or "-") for r in rows]
    )

    def widest(texts) -> list[str]:
        return sorted({str(t or "") for t in texts}, key=_text_mm, reverse=True)[:WIDEST_TEXTS]

    # (texts that wrap, lines they lose to the unbroken line, narrowest content width, widest)
    names, posts, banks = (
        widest(r.name for r in rows),
        widest(r.position_name for r in rows),
        widest(r.bank_name for r in rows),
    )
    unbroken = [_text_mm(r.nip) for r in rows], [_text_mm(account_number(r) or "-") for r in rows]
    flexible = [
        (
            names,
            1,
            max([_word_mm(["NIP", "Nama"], bold=True), _word_mm(names), *unbroken[0]]),
            max([_text_mm(n) for n in names] + unbroken[0] + [0.0]),
        ),
        (
            posts,
            0,
            max(_word_mm(["Jabatan"], bold=True), _word_mm(posts)),
            max([_text_mm(t) for t in posts] + [0.0]),
        ),
        (
            banks,
            1,
            max([_word_mm(["Rekening"], bold=True), _word_mm(banks), *unbroken[1]]),
            max([_text_mm(b) for b in banks] + unbroken[1] + [0.0]),
        ),
    ]
    room = PAGE_MM - number - grade - sum(figures) - len(flexible) * CELL_PAD_MM
    if room < sum(lo for _t, _u, lo, _hi in flexible):
        # Too wide for the page (nine-digit figures, many components): the automatic layout, which
        # lets the table run into the right margin by its real widths rather than these estimates.
        return []
    for lines in range(2, 60):
        share = [
            _width_for(texts, max(lines - used, 1), lo, max(lo, hi))
            for texts, used, lo, hi in flexible
        ]
        if sum(share) <= room:
            break
    else:
        share = [lo for _t, _u, lo, _hi in flexible]
    left = room - sum(share)
    want = [max(hi - w, 0.0) for w, (_t, _u, _lo, hi) in zip(share, flexible, strict=True)]
    if sum(want) > left:  # less than everything on one line: in proportion to what is missing
        share = [w + left * x / sum(want) for w, x in zip(share, want, strict=True)]
    else:  # everything on one line: the rest in proportion to the widths
        share = [w + x for w, x in zip(share, want, strict=True)]
        share = [w + (left - sum(want)) * w / sum(share) for w in share]
    nip, position, account = (w + CELL_PAD_MM for w in share)
    widths = [number, nip, grade, position, *figures, account]
    return [round(w, 1) for w in widths]


def split_columns_mm(data: Payroll, section: Section) -> list[float]:
    """The widths in mm of a section's "Rincian per tunjangan" table (several allowances): No, NIP,
    Nama, then each figure of `Payroll.split_columns`. No, NIP and the figures are at least as wide
    as their widest text (`nominatif_columns`' estimates), Nama as its longest name on one line if
    the page has room; what is left is shared by the figures. [] without allowances, or when the
    figures leave Nama less than its longest word (many allowances): that table keeps the automatic
    layout."""
    if not data.allowances:
        return []
    rows, t = section.rows, section.totals
    number = _fixed_mm("No", [str(len(rows))])
    nip = _fixed_mm("NIP", [r.nip for r in rows])
    figures = [
        _money_mm(label, [figure(r, key) for r in rows], [t[key]])
        for label, key in data.split_columns
    ]
    room = PAGE_MM - number - nip - sum(figures)
    names = [r.name for r in rows]
    if room < max(_word_mm(["Nama"], bold=True), _word_mm(names)) + CELL_PAD_MM:
        return []
    name = min(room, max([_text_mm(n) for n in names] + [0.0]) + CELL_PAD_MM)
    extra = (room - name) / len(figures)
    return [round(w, 1) for w in (number, nip, name, *[f + extra for f in figures])]


def nominatif_pdf(run: Run, unit: Unit | None = None, printed_on=None) -> bytes:
    """The daftar nominatif TPP as a landscape A4 pdf: per unit its table, JUMLAH row, amount in
    words and signature blocks (head of unit, treasurer); for the whole instansi a recap page."""
    data = payroll(run, unit, signed=True)
    data.printed_on = printed_on
    for s in data.sections:
        s.columns = nominatif_columns(data, s)
        s.split_columns = split_columns_mm(data, s)
    return _pdf(
        "tpp/pdf/nominatif.html",
        {
            "data": data,
            "run": run,
            "recap": recap_rows(data),
            "grand": _with_extra(data.totals, [r for s in data.sections for r in s.rows]),
            "whole": unit is None,
            "printed_on": printed_on,
        },
    )


def recap_pdf(run: Run, unit: Unit | None = None, printed_on=None) -> bytes:
    data = payroll(run, unit, signed=True)
    data.printed_on = printed_on
    return _pdf(
        "tpp/pdf/recap.html",
        {
            "data": data,
            "run": run,
            "recap": recap_rows(data),
            "grand": _with_extra(data.totals, [r for s in data.sections for r in s.rows]),
            "printed_on": printed_on,
        },
    )


# --------------------------------------------------------------------------------------------------
# csv


def bank_csv(run: Run, unit: Unit | None = None) -> str:
    """The bank transfer file: one line per employee with an amount to pay this month (payable > 0):
    no, NIP, name, bank, account number, amount (whole rupiah), description."""
    rows = [r for r in selectors.payroll_results(run, unit) if r.payable > 0]
    out = io.StringIO()
    # Names and banks are typed by people: a cell starting "=" would run in Excel (core.spreadsheets).
    w = spreadsheets.csv_writer(out, lineterminator="\r\n")
    w.writerow(["no", "nip", "nama", "bank", "no_rekening", "jumlah", "keterangan"])
    label = f"TPP {Period.parse(run.period).label}"
    for n, r in enumerate(rows, start=1):
        w.writerow([n, r.nip, r.name, r.bank_name, account_number(r), int(r.payable), label])
    return out.getvalue()
