"""The policy editor's form: a Perbup's figures as labelled fields, so BKPSDM edits a policy without
writing JSON (the JSON text stays as the "lanjutan" view, for what the form does not show).

Pure: no ORM. `sections(data)` lays out the fields of a policy document (its own shape decides what
is shown: a single allowance or several, a monthly or a daily activity target, the leave types and
sentence kinds it names); `apply(base, post)` writes the submitted values over the document the
form was built from, so everything the form does not show (new leave types, per-position bases,
anything added in the JSON view) is kept as it was. The result is checked by the same reader as
the JSON view (`services.policy_save`); its problems come back keyed by path (`$.attendance.
late_bands[1]`) and are shown under the field or table that holds that path (`error_map`), and
anything else is listed with a readable label (`describe`).

Numbers are read the Indonesian way too: money "Rp1.500.000" or "1.500.000" (dots group thousands),
percentages "0,5" or "0.5"; money is whole rupiah."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ekinerja.core.periods import tanggal

from .policy import CLASSES, COMPONENT_KEYS, DEDUCT_FROM, PPH21_MODES, SKP_KEYS, STATUSES

PREFIX = "f:"
#: Empty rows offered under a table, to add rows without script (an emptied row is removed).
SPARE_ROWS = 2

COMPONENT_LABELS = {
    "attendance": "Disiplin (kehadiran)",
    "activity": "Produktivitas (aktivitas harian)",
    "skp": "Capaian SKP",
}
DEDUCT_LABELS = {
    "pot": "dari porsi komponen kehadiran",
    "ceiling": "dari pagu TPP (seluruh TPP)",
}
#: Short, so the select fits a 360 px phone; PPH21_HELP says them whole.
PPH21_LABELS = {
    "flat_by_golongan": "tarif tetap per golongan",
    "none": "tidak dipotong aplikasi",
}
PPH21_HELP = (
    "Tarif tetap per golongan: PPh 21 atas TPP dipotong dengan tarif golongan di bawah "
    "(PMK 262/2010). Tidak dipotong aplikasi: PPh 21 atas TPP ditanggung pemerintah, TPP "
    "dibayar tanpa potongannya."
)
SKP_LABELS = {
    "sangat_baik": "Sangat baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh perbaikan",
    "kurang": "Kurang",
    "sangat_kurang": "Sangat kurang",
    "not_rated": "Belum dinilai",
}
SENTENCE_LABELS = {"ringan": "Ringan", "sedang": "Sedang", "berat": "Berat"}
BAND_COLUMNS = (
    ("Dari menit", "int", False),
    ("Sampai menit (kosong = seterusnya)", "int", True),
    ("Potongan %", "pct", False),
)
FLOOR_COLUMNS = (
    ("Kehadiran dari %", "pct", False),
    ("sampai di bawah %", "pct", False),
    ("TPP dibayar %", "pct", False),
)
LEAVE_COLUMNS = (  # short headings, so the table fits a phone; the section's note says them whole
    ("Potongan %/hari", "pct", False),
    ("Kurangi target", "bool", False),
    ("Dihitung hadir", "bool", False),
    ("Tanpa TPP", "bool", False),
)
LEAVE_FIELDS = ("deduction", "reduces_activity_target", "counts_as_present", "excludes_tpp")

#: Readable names of a path's parts, for problems the form cannot place under a field.
PART_LABELS = {
    "name": "Nama",
    "effective_from": "Berlaku mulai",
    "plt_pct": "Bagian Plt/Plh",
    "base_by_class": "Pagu per kelas jabatan",
    "status_factor": "Faktor status",
    "components": "Komponen dan bobot",
    "allowances": "Tunjangan",
    "attendance": "Kehadiran",
    "deduct_from": "dasar potongan",
    "grace_minutes": "toleransi",
    "late_bands": "potongan terlambat",
    "early_bands": "potongan pulang cepat",
    "missing_check_in": "tidak absen masuk",
    "missing_check_out": "tidak absen pulang",
    "absent_without_notice": "tanpa keterangan",
    "attendance_floors": "Faktor kehadiran minimum",
    "leave_types": "Jenis cuti dan izin",
    "activity": "Aktivitas",
    "monthly_target_minutes": "target menit per bulan",
    "daily_target_minutes": "target menit per hari kerja",
    "daily_cap_minutes": "batas menit per hari",
    "entry_window_working_days": "batas waktu pengisian",
    "score_cap": "batas nilai",
    "skp": "SKP",
    "sentences": "Hukuman disiplin",
    "pph21": "PPh 21",
    "mode": "cara",
    "rates": "tarif",
    "health_insurance": "Iuran BPJS Kesehatan",
    "employee_pct": "bagian pegawai",
    "income_cap": "batas penghasilan",
    "deduction": "potongan",
    "reduces_activity_target": "mengurangi target",
    "counts_as_present": "dihitung hadir",
    "excludes_tpp": "tidak menerima TPP",
    "weight": "bobot",
    "key": "komponen",
    **SKP_LABELS,
}


@dataclass
class Item:
    """A field (kind text/date/money/int/pct/num/choice) or a table (kind "table", whose cells may
    also be "bool": a checkbox)."""

    label: str
    path: tuple
    kind: str
    help: str = ""
    optional: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    # A table's columns (label, kind, optional) and rows: each a list of cell values (display
    # text), with the row's label for a keyed table (leave types: one row per code, fixed).
    columns: tuple = ()
    rows: list[list[str]] = field(default_factory=list)
    row_labels: list[str] = field(default_factory=list)
    row_keys: list[str] = field(default_factory=list)  # a keyed table's codes ("" = a new row)
    addable: tuple[tuple[str, str], ...] = ()  # codes a new row of a keyed table may take
    new_keys: dict[int, str] = field(default_factory=dict)  # the code chosen in a new row
    value: str = ""
    error: str = ""
    row_errors: dict[int, str] = field(default_factory=dict)
    previous: str | None = None  # the previous version's value when it differs

    @property
    def name(self) -> str:
        return PREFIX + ".".join(str(p) for p in self.path)

    def cell_name(self, row: int, col: int) -> str:
        return f"{self.name}.{row}.{col}"

    @property
    def grid(self) -> list[dict]:
        """The table's rows for the template: cells with name, kind, value, and the row's error."""
        out = []
        for i, row in enumerate(self.rows):
            cells = [
                {
                    "name": self.cell_name(i, j),
                    "kind": kind,
                    "label": label,
                    "value": value,
                    "checked": value == "1",
                }
                for j, ((label, kind, _opt), value) in enumerate(
                    zip(self.columns, row, strict=True)
                )
            ]
            label = self.row_labels[i] if i < len(self.row_labels) else ""
            new = bool(self.row_keys) and i < len(self.row_keys) and not self.row_keys[i]
            out.append(
                {
                    "cells": cells,
                    "label": label,
                    "error": self.row_errors.get(i, ""),
                    "new": new,
                    "key_name": f"{self.name}.{i}.key",
                    "key_value": self.new_keys.get(i, ""),
                }
            )
        return out

    def code_of(self, row: int) -> str:
        """A keyed table's code on a row: its own, or the one chosen in a new row."""
        return self.row_keys[row] or self.new_keys.get(row, "")


@dataclass
class Section:
    title: str
    items: list[Item]
    note: str = ""
    # A problem of the section's part as a whole, no one field's: every class base emptied
    # ($.base_by_class), PPh 21 rates the form has no field for ($.pph21.rates).
    error: str = ""

    @property
    def has_error(self) -> bool:
        return bool(self.error) or any(i.error or i.row_errors for i in self.items)


# --------------------------------------------------------------------------------------------------
# Showing values


def show(value: Any, kind: str) -> str:
    """A stored value as the form shows it: money with thousand dots, decimals with a comma."""
    if value is None:
        return ""
    if kind == "bool":
        return "1" if value else ""
    if kind in ("text", "date", "choice"):
        return str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if kind in ("money", "int"):
        # Whole numbers with thousand dots, as they are typed: Rp2.850.000, 6.750 minutes.
        if number == number.to_integral_value():
            return f"{int(number):,}".replace(",", ".")
        return str(value)
    text = format(number.normalize(), "f") if number == number else str(value)
    return text.replace(".", ",")


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(str(part))
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _choices(labels: Mapping[str, str], keys) -> tuple[tuple[str, str], ...]:
    return tuple((k, labels.get(k, k)) for k in keys)


def _field(data, path, label, kind, **kw) -> Item:
    item = Item(label, tuple(path), kind, **kw)
    value = _get(data, item.path)
    item.value = show(value, kind)
    return item


def _table(
    data,
    path,
    label,
    columns,
    help="",
    keyed: list[tuple[str, str]] | None = None,
    addable: tuple[tuple[str, str], ...] = (),
) -> Item:
    item = Item(label, tuple(path), "table", help=help, columns=columns, addable=addable)
    stored = _get(data, item.path)
    if keyed is not None:  # one fixed row per key of a mapping, and new rows for `addable` codes
        for key, row_label in keyed:
            entry = (stored or {}).get(key) or {}
            item.rows.append(
                [
                    show(entry.get(f), kind)
                    for f, (_l, kind, _o) in zip(LEAVE_FIELDS, columns, strict=False)
                ]
            )
            item.row_labels.append(row_label)
            item.row_keys.append(key)
        for _ in range(min(SPARE_ROWS, len(addable))):
            item.rows.append([""] * len(columns))
            item.row_labels.append("")
            item.row_keys.append("")
        return item
    for row in stored if isinstance(stored, list) else []:
        cells = list(row) + [None] * len(columns)
        item.rows.append([show(v, kind) for v, (_l, kind, _o) in zip(cells, columns, strict=False)])
    item.rows.extend([[""] * len(columns) for _ in range(SPARE_ROWS)])
    return item


def _components(data, path) -> Item:
    item = Item(
        "Komponen dan bobot (%)",
        tuple(path),
        "table",
        help="Jumlah bobot harus 100. Kosongkan baris untuk menghapus komponen.",
        columns=(("Komponen", "choice", False), ("Bobot %", "pct", False)),
        choices=_choices(COMPONENT_LABELS, COMPONENT_KEYS),
    )
    for comp in _get(data, item.path) or []:
        item.rows.append([show(comp.get("key"), "choice"), show(comp.get("weight"), "pct")])
    item.rows.extend([["", ""] for _ in range(SPARE_ROWS)])
    return item


def _base_items(data, prefix: tuple) -> list[Item]:
    return [
        _field(data, (*prefix, "base_by_class", str(k)), f"Kelas {k}", "money", optional=True)
        for k in CLASSES
    ]


def sections(data: dict, leave_names: Mapping[str, str] | None = None) -> list[Section]:
    """The form of a policy document: what it holds, in the order a Perbup reads."""
    leave_names = leave_names or {}
    out = [
        Section(
            "Umum",
            [
                _field(data, ("name",), "Nama kebijakan", "text", help="Misalnya nomor Perbup."),
                _field(data, ("effective_from",), "Berlaku mulai", "date"),
                _field(
                    data,
                    ("plt_pct",),
                    "Bagian Plt/Plh (%)",
                    "pct",
                    optional=True,
                    help="Persentase TPP jabatan yang dirangkap sebagai Plt/Plh.",
                ),
            ],
        )
    ]
    allowances = data.get("allowances")
    if isinstance(allowances, list) and allowances:
        for i, allowance in enumerate(allowances):
            name = allowance.get("name") or allowance.get("key") or f"Tunjangan {i + 1}"
            out.append(
                Section(
                    f"Tunjangan: {name}",
                    [
                        _field(data, ("allowances", i, "name"), "Nama tunjangan", "text"),
                        *_base_items(data, ("allowances", i)),
                        _components(data, ("allowances", i, "components")),
                    ],
                    note="Pagu per kelas jabatan (Rp sebulan); kelas yang dikosongkan tidak "
                    "menerima tunjangan ini.",
                )
            )
    else:
        out.append(
            Section(
                "Pagu TPP per kelas jabatan (Rp sebulan)",
                _base_items(data, ()),
                note="Kelas yang dikosongkan tidak menerima TPP. Pagu per jabatan (diatur pada data "
                'jabatan sebagai "basis TPP khusus") menggantikan pagu kelasnya bila diisi.',
            )
        )
        out.append(Section("Komponen", [_components(data, ("components",))]))
    out.append(
        Section(
            "Faktor status kepegawaian (%)",
            [_field(data, ("status_factor", s), s, "pct") for s in STATUSES],
        )
    )
    att = ("attendance",)
    out.append(
        Section(
            "Kehadiran",
            [
                _field(
                    data,
                    (*att, "deduct_from"),
                    "Potongan dihitung",
                    "choice",
                    choices=_choices(DEDUCT_LABELS, DEDUCT_FROM),
                ),
                _field(data, (*att, "grace_minutes"), "Toleransi terlambat (menit)", "int"),
                _table(data, (*att, "late_bands"), "Potongan terlambat masuk", BAND_COLUMNS),
                _table(
                    data, (*att, "early_bands"), "Potongan pulang sebelum waktunya", BAND_COLUMNS
                ),
                _field(data, (*att, "missing_check_in"), "Tidak absen masuk (% per hari)", "pct"),
                _field(data, (*att, "missing_check_out"), "Tidak absen pulang (% per hari)", "pct"),
                _field(
                    data,
                    (*att, "absent_without_notice"),
                    "Tanpa keterangan / TK (% per hari)",
                    "pct",
                ),
            ],
            note="Rentang menit harus bersambung tanpa tumpang tindih; baris terakhir boleh tanpa "
            "batas atas. Kosongkan baris untuk menghapusnya.",
        )
    )
    out.append(
        Section(
            "Faktor kehadiran minimum",
            [
                _table(
                    data,
                    ("attendance_floors",),
                    "Bila tingkat kehadiran sebulan rendah, TPP hanya dibayar sebagian",
                    FLOOR_COLUMNS,
                )
            ],
            note="Kosongkan semua baris bila Perbup tidak mengatur faktor ini.",
        )
    )
    act = ("activity",)
    target = "daily_target_minutes" if _get(data, (*act, "daily_target_minutes")) else None
    target = target or "monthly_target_minutes"
    out.append(
        Section(
            "Aktivitas harian",
            [
                _field(
                    data,
                    (*act, target),
                    "Target menit per hari kerja"
                    if target == "daily_target_minutes"
                    else "Target menit per bulan",
                    "int",
                ),
                _field(data, (*act, "daily_cap_minutes"), "Batas menit diakui per hari", "int"),
                _field(
                    data,
                    (*act, "entry_window_working_days"),
                    "Batas waktu pengisian (hari kerja)",
                    "int",
                ),
                _field(
                    data,
                    (*act, "score_cap"),
                    "Batas nilai capaian",
                    "num",
                    help="1 = capaian di atas target tidak menambah TPP.",
                ),
            ],
        )
    )
    skp = data.get("skp") if isinstance(data.get("skp"), dict) else {}
    out.append(
        Section(
            "Predikat SKP (% komponen SKP yang dibayar)",
            [
                _field(data, ("skp", k), SKP_LABELS.get(k, k), "pct")
                for k in [*SKP_KEYS, *(k for k in skp if k not in SKP_KEYS)]
            ],
        )
    )
    sentences = data.get("sentences") if isinstance(data.get("sentences"), dict) else {}
    if sentences:
        out.append(
            Section(
                "Hukuman disiplin (% TPP yang dipotong)",
                [
                    _field(data, ("sentences", k), SENTENCE_LABELS.get(k, k), "pct")
                    for k in _ordered(sentences, tuple(SENTENCE_LABELS))
                ],
            )
        )
    leaves = data.get("leave_types") if isinstance(data.get("leave_types"), dict) else {}
    addable = tuple((code, name) for code, name in leave_names.items() if code not in leaves)
    if leaves or addable:
        out.append(
            Section(
                "Jenis cuti dan izin",
                [
                    _table(
                        data,
                        ("leave_types",),
                        "Per jenis",
                        LEAVE_COLUMNS,
                        keyed=sorted(
                            ((k, leave_names.get(k) or k.replace("_", " ")) for k in leaves),
                            key=lambda kv: kv[1].lower(),
                        ),
                        addable=addable,
                    )
                ],
                note="Potongan: persen per hari cuti/izin. Kurangi target: hari itu mengurangi "
                "target menit aktivitas. Dihitung hadir: hari itu dihitung hadir (dinas luar). "
                "Tanpa TPP: hari itu tidak menerima TPP (tugas belajar, CLTN). Jenis cuti/izin "
                "instansi yang belum diatur dapat ditambahkan pada baris kosong di bawah.",
            )
        )
    pph = ("pph21",)
    rates = _get(data, (*pph, "rates"))
    out.append(
        Section(
            "PPh 21",
            [
                _field(
                    data,
                    (*pph, "mode"),
                    "Cara pemotongan",
                    "choice",
                    choices=_choices(PPH21_LABELS, PPH21_MODES),
                    help=PPH21_HELP,
                ),
                *[
                    _field(data, (*pph, "rates", k), f"Tarif golongan {k} (%)", "pct")
                    for k in _ordered(rates if isinstance(rates, dict) else {}, GOLONGAN_ORDER)
                ],
            ],
        )
    )
    out.append(
        Section(
            "Iuran BPJS Kesehatan",
            [
                _field(
                    data,
                    ("health_insurance", "employee_pct"),
                    "Bagian pegawai (%)",
                    "pct",
                    optional=True,
                    help="Kosong = Perbup tidak memotong iuran dari TPP.",
                ),
                _field(
                    data,
                    ("health_insurance", "income_cap"),
                    "Batas penghasilan (Rp)",
                    "money",
                    optional=True,
                    help="Kosong = tanpa batas.",
                ),
            ],
        )
    )
    return out


GOLONGAN_ORDER = ("I", "II", "III", "IV", "PPPK")


def _ordered(keys, known: tuple[str, ...]) -> list[str]:
    """A mapping's keys in a reader's order (PostgreSQL's jsonb keeps them by length, then bytes:
    I, II, IV, III): the known ones in `known`'s order, then the others alphabetically."""
    keys = list(keys)
    return [k for k in known if k in keys] + sorted(k for k in keys if k not in known)


def items(secs: list[Section]) -> list[Item]:
    return [i for s in secs for i in s.items]


# --------------------------------------------------------------------------------------------------
# Reading what was submitted

_MONEY_RE = re.compile(r"(?:Rp\.?\s*)?(-?\d{1,3}(?:\.\d{3})+|-?\d+)", re.ASCII | re.IGNORECASE)
_NUMBER_RE = re.compile(r"-?\d+(?:[.,]\d+)?", re.ASCII)


class Invalid(ValueError):
    pass


#: A required field or a cell of a kept row left empty.
REQUIRED = "wajib diisi"
CHOOSE = "pilih salah satu"


def parse(text: str, kind: str) -> Any:
    """A submitted value in the document's terms (None for an empty one); Invalid with the reason."""
    text = (text or "").strip()
    if kind == "bool":
        return bool(text)
    if not text:
        return None
    if kind == "text" or kind == "choice":
        return text
    if kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise Invalid("harus berupa tanggal") from None
    compact = text.replace(" ", "")
    if kind == "money":
        m = _MONEY_RE.fullmatch(compact)
        if not m:
            raise Invalid("harus berupa rupiah bulat, misalnya 1.500.000")
        return int(m.group(1).replace(".", ""))
    if kind == "int":
        m = _MONEY_RE.fullmatch(compact)
        if not m or compact.lower().startswith("rp"):
            raise Invalid("harus berupa bilangan bulat")
        return int(m.group(1).replace(".", ""))
    # pct / num: a comma or a dot before the decimals
    if not _NUMBER_RE.fullmatch(compact):
        raise Invalid("harus berupa angka, misalnya 1,25")
    number = Decimal(compact.replace(",", "."))
    return int(number) if number == number.to_integral_value() else float(number)


def _set(data: dict, path: tuple, value: Any, optional: bool) -> None:
    *parents, last = path
    if value is None and optional and _get(data, tuple(parents)) is None:
        return  # nothing to remove: no empty parent is made (a policy without that part)
    node: Any = data
    for part in parents:
        key = part if isinstance(node, list) else str(part)
        if isinstance(node, dict):
            node = node.setdefault(key, {})
        else:
            node = node[key]
    if isinstance(node, list):
        node[last] = value
    elif value is None and optional:
        node.pop(str(last), None)
    else:
        node[str(last)] = value


def apply(
    base: dict, post: Mapping[str, str], leave_names: Mapping[str, str] | None = None
) -> tuple[dict, dict[str, str], dict[tuple, list]]:
    """The document with the submitted values written over `base` (a copy); the form's own problems
    ({field or cell name: reason}) for values that are not numbers, dates...; and, per table, the
    form's row of each row kept (emptied rows are removed, so the reader's row 2 may be the
    form's row 3)."""
    data = copy.deepcopy(base)
    errors: dict[str, str] = {}
    kept: dict[tuple, list] = {}
    for item in items(sections(base, leave_names)):
        if item.kind != "table":
            try:
                value = parse(post.get(item.name, ""), item.kind)
            except Invalid as exc:
                errors[item.name] = str(exc)
                continue
            if value is None and not item.optional:
                # Said as what it is, not as the reader's "harus berupa angka" of a missing value.
                errors[item.name] = REQUIRED
                continue
            _set(data, item.path, value, item.optional)
            continue
        rows, kept[item.path] = [], []
        for i in range(len(item.rows)):
            raw = [post.get(item.cell_name(i, j), "") for j in range(len(item.columns))]
            row = []
            for j, (text, (_label, kind, _opt)) in enumerate(zip(raw, item.columns, strict=True)):
                try:
                    row.append(parse(text, kind))
                except Invalid as exc:
                    errors[item.cell_name(i, j)] = str(exc)
                    row.append(None)
            if item.row_keys:
                code = item.row_keys[i] or (post.get(f"{item.name}.{i}.key") or "").strip()
                if code:  # a new row without a chosen type adds nothing
                    rows.append((code, row))
                    kept[item.path].append(i)
            elif any(v not in (None, "") for v in row):
                rows.append(row)
                kept[item.path].append(i)
                # A cell left empty in a row that is kept: which one, not "harus berupa angka".
                for j, (value, (label, kind, optional)) in enumerate(
                    zip(row, item.columns, strict=True)
                ):
                    name = item.cell_name(i, j)
                    if value is None and not optional and name not in errors:
                        errors[name] = f"{label}: {CHOOSE if kind == 'choice' else REQUIRED}"
        _set_table(data, item, rows)
    if data.get("health_insurance") == {}:
        # Both BPJS fields left empty: the Perbup takes no share from TPP (the part is optional).
        data.pop("health_insurance")
    return data, errors, kept


def _set_table(data: dict, item: Item, rows: list[list]) -> None:
    path = item.path
    if item.row_keys:  # leave types: {code: {field: value}}, (code, row) pairs
        stored = _get(data, path)
        if not isinstance(stored, dict):
            stored = data.setdefault(path[0], {})
        for code, row in rows:
            new = code not in stored
            entry = dict(stored.get(code) or {})
            for f, value in zip(LEAVE_FIELDS, row, strict=True):
                if value is None and f == "deduction":
                    # Left empty: no deduction (the format's default when the key is omitted, as
                    # the templates' "tanpa TPP" rows omit it); an unchanged template must save.
                    if new:
                        entry[f] = 0
                    else:
                        entry.pop(f, None)
                    continue
                entry[f] = value
            stored[code] = entry
        return
    if path[-1] == "components":
        value: Any = [{"key": key, "weight": weight} for key, weight in rows]
    else:
        value = rows
    if path == ("attendance_floors",) and not rows:
        data.pop("attendance_floors", None)
        return
    _set(data, path, value, optional=False)


def fill(secs: list[Section], post: Mapping[str, str]) -> None:
    """Shows what was submitted (also what could not be read), for the form answered with problems."""
    for item in items(secs):
        if item.kind != "table":
            item.value = (post.get(item.name) or "").strip()
            continue
        for i, row in enumerate(item.rows):
            for j in range(len(row)):
                row[j] = (post.get(item.cell_name(i, j)) or "").strip()
            if item.row_keys and not item.row_keys[i]:
                item.new_keys[i] = (post.get(f"{item.name}.{i}.key") or "").strip()


# --------------------------------------------------------------------------------------------------
# Problems


_PATH_RE = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def path_parts(path: str) -> tuple:
    """'$.attendance.late_bands[1]' -> ('attendance', 'late_bands', 1)."""
    return tuple(
        int(index) if index else name for name, index in _PATH_RE.findall(path.removeprefix("$"))
    )


def describe(path: str) -> str:
    """A problem's path in words: '$.attendance.late_bands[1]' -> 'Kehadiran › potongan
    terlambat › baris 2'."""
    words = []
    for part in path_parts(path):
        if isinstance(part, int):
            words.append(f"baris {part + 1}")
        elif part.isdigit():
            words.append(f"kelas {part}")
        else:
            words.append(PART_LABELS.get(part, part.replace("_", " ")))
    return " › ".join(words) if words else "Kebijakan"


def place(
    secs: list[Section],
    problems: list[tuple[str, str]],
    form_errors: dict[str, str],
    kept: dict[tuple, list] | None = None,
) -> list[tuple[str, str, str]]:
    """Puts each problem under the field or table row it concerns; returns those it could not place
    as (label, path, reason)."""
    kept = kept or {}
    all_items = items(secs)
    by_path = {i.path: i for i in all_items}
    by_name = {i.name: i for i in all_items}
    for name, reason in form_errors.items():
        if name in by_name:
            by_name[name].error = reason
            continue
        table, row, _col = name.rsplit(".", 2)
        if table in by_name:
            item = by_name[table]
            item.row_errors[int(row)] = _join(item.row_errors.get(int(row)), reason)
    rest: list[tuple[str, str, str]] = []
    for path, reason in problems:
        parts = path_parts(path) if path.startswith("$") else ()
        item, n = None, len(parts)
        while n > 0 and item is None:
            item = by_path.get(parts[:n])
            n -= 1 if item is None else 0
        if item is None:
            section = _section_of(secs, parts)
            if section is not None:
                section.error = _join(section.error, f"{describe(path)}: {reason}")
            else:
                rest.append((describe(path) if parts else "", path, reason))
        elif item.kind == "table" and n < len(parts):
            nxt = parts[n]
            if item.row_keys:
                codes = [item.code_of(r) for r in range(len(item.row_keys))]
                row = codes.index(nxt) if nxt in codes else None
            else:
                rows = kept.get(item.path)
                row = (
                    rows[nxt]
                    if rows is not None and isinstance(nxt, int) and nxt < len(rows)
                    else nxt
                )
            if isinstance(row, int):
                item.row_errors[row] = _join(item.row_errors.get(row), reason)
            else:
                item.error = _join(item.error, reason)
        else:
            item.error = _join(item.error, reason)
    return rest


def _section_of(secs: list[Section], parts: tuple) -> Section | None:
    """The section holding the fields under the longest start of `parts` (a problem of a whole
    table of fields, or of a part the form shows no field for), None when none does."""
    for n in range(len(parts), 0, -1):
        for section in secs:
            if any(i.path[:n] == parts[:n] for i in section.items):
                return section
    return None


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


def mark_previous(secs: list[Section], previous: dict | None) -> None:
    """Beside each field, the previous version's value where it differs (tables: their rows in one
    line; the leave types' table is compared in the JSON view)."""
    if not previous:
        return
    for item in items(secs):
        if item.kind == "table":
            if item.row_keys:
                continue
            before = _stored_rows_text(_get(previous, item.path), item)
            if before != _shown_rows_text(item):
                item.previous = before or "(tidak ada)"
            continue
        value = show(_get(previous, item.path), item.kind)
        if value != item.value:
            item.previous = _said(value, item) or "(kosong)"


def _said(value: str, item: Item) -> str:
    """A previous value as words: a date in Indonesian, a choice by its label."""
    if item.kind == "date" and value:
        try:
            return tanggal(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if item.kind == "choice":
        return dict(item.choices).get(value, value)
    return value


def _row_text(cells: list[str], item: Item) -> str:
    if item.path[-1] == "components":
        return f"{COMPONENT_LABELS.get(cells[0], cells[0])} {cells[1]}%"
    cells = [c or "…" for c in cells]
    return " – ".join(cells[:-1]) + f": {cells[-1]}%"


def _stored_rows_text(rows: Any, item: Item) -> str:
    if not isinstance(rows, list):
        return ""
    out = []
    for row in rows:
        if isinstance(row, dict):
            cells = [show(row.get("key"), "choice"), show(row.get("weight"), "pct")]
        else:
            cells = [show(v, kind) for v, (_l, kind, _o) in zip(row, item.columns, strict=False)]
        out.append(_row_text(cells, item))
    return "; ".join(out)


def _shown_rows_text(item: Item) -> str:
    return "; ".join(_row_text(list(row), item) for row in item.rows if any(row))
