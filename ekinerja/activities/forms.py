"""Forms of the activity pages. They only parse input; every rule is checked by the services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.text import Truncator

from ekinerja.core.periods import Period, date_in_range, validate_date_in_range

from .models import DESCRIPTION_MAX_LENGTH


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,application/pdf,image/*")

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class VolumeField(forms.DecimalField):
    """A volume as an Indonesian writes it: "1,5" is one and a half (a phone's keyboard, a browser
    without a number field, or a typed value all send it so); "1.5" still works."""

    def to_python(self, value):
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


class DescriptionField(forms.CharField):
    """A browser counts a line break in a textarea as one character (its maxlength) but sends it
    as two (CR LF): a description within the limit on the phone was refused on the server. Line
    breaks are kept as LF, so both count the same."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class EntryForm(forms.Form):
    date = forms.DateField(label="Tanggal", widget=DATE_WIDGET, validators=[validate_date_in_range])
    start_time = forms.TimeField(label="Mulai", widget=TIME_WIDGET)
    end_time = forms.TimeField(label="Selesai", widget=TIME_WIDGET)
    item = forms.IntegerField(label="Aktivitas", widget=forms.HiddenInput, required=False)
    volume = VolumeField(
        label="Volume",
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(
            attrs={"class": "form-control", "step": "0.01", "min": "0.01", "inputmode": "decimal"}
        ),
    )
    description = DescriptionField(
        label="Uraian",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    files = MultipleFileField(label="Bukti (PDF/JPG/PNG, maks. 2 MB per berkas)")
    # The choices are the employee's SKP results of the year (set by the view); the service checks.
    skp_result = forms.IntegerField(
        label="Hasil kerja SKP",
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    error_messages_id = {
        "required": "Wajib diisi.",
        "invalid": "Format tidak valid.",
    }

    def __init__(self, *args, skp_results=(), **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages.update(self.error_messages_id)
        self.fields["volume"].error_messages["max_decimal_places"] = (
            "Paling banyak 2 angka di belakang koma."
        )
        self.fields["volume"].error_messages["invalid"] = (
            "Isi volume dengan angka, mis. 1 atau 1,5."
        )
        for name in ("start_time", "end_time"):
            self.fields[name].error_messages["invalid"] = (
                "Isi jam dengan format jam:menit, mis. 08:30."
            )
        self.fields["files"].widget.attrs["class"] = "form-control"
        self.skp_choices = [(r.pk, skp_label(r)) for r in skp_results]
        self.fields["skp_result"].widget.choices = [
            ("", "— tidak dikaitkan —"),
            *self.skp_choices,
        ]


def skp_label(result) -> str:
    """A result's text, short enough for a select on a phone."""
    return Truncator(" ".join(result.text.split())).chars(70)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Alasan",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class VerifyForm(ReasonForm):
    decision = forms.ChoiceField(
        choices=[("approve", "Setujui"), ("reject", "Tolak"), ("return", "Kembalikan")]
    )
    approved_volume = VolumeField(
        label="Volume disetujui",
        required=False,
        max_digits=7,
        decimal_places=2,
        error_messages={"invalid": "Isi volume disetujui dengan angka, mis. 1 atau 1,5."},
    )


class UnlockForm(forms.Form):
    employee = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # An admin OPD of a big unit types a NIP or a name instead of picking from thousands.
    pegawai = forms.CharField(required=False, max_length=100)
    date_from = forms.DateField(
        label="Dari tanggal", widget=DATE_WIDGET, validators=[validate_date_in_range]
    )
    date_to = forms.DateField(
        label="Sampai tanggal", widget=DATE_WIDGET, validators=[validate_date_in_range]
    )
    reason = forms.CharField(
        label="Alasan", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = "Wajib diisi."
            f.error_messages["invalid"] = "Format tidak valid."


class UnlockDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Setujui"), ("reject", "Tolak")])
    deadline = forms.DateField(
        label="Dibuka sampai",
        required=False,
        widget=DATE_WIDGET,
        validators=[validate_date_in_range],
    )
    reason = forms.CharField(label="Catatan", required=False, max_length=2000)


def parse_period(text: str | None, default: dt.date) -> Period:
    try:
        return Period.parse(text) if text else Period.of(default)
    except ValueError:
        return Period.of(default)


def parse_date(text: str | None, default: dt.date) -> dt.date:
    """A YYYY-MM-DD date of the sane range (core.periods), else `default`."""
    try:
        day = dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return day if date_in_range(day) else default
