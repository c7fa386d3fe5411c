from django import forms

from ekinerja.core.periods import validate_date_in_range

from .models import Holiday


class HolidayForm(forms.Form):
    date = forms.DateField(
        label="Tanggal",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        error_messages={"required": "Tanggal wajib diisi.", "invalid": "Tanggal tidak valid."},
        validators=[validate_date_in_range],
    )
    name = forms.CharField(
        label="Nama",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": "Nama hari libur wajib diisi."},
    )
    kind = forms.ChoiceField(
        label="Jenis",
        choices=Holiday.Kind.choices,
        initial=Holiday.Kind.REGIONAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label="Dasar/alasan (mis. nomor SKB)",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
