"""Forms of the performance pages. Validation of the rules happens in services; forms only shape
input and show the services' errors next to the fields."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from .evalperiods import ALLOWED_PERIOD_MONTHS
from .models import CORE_VALUE_GUIDE, CoreValue, PerformanceSettings, SkpIndicator, SkpResult


class ParentResultChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: SkpResult) -> str:
        return obj.text if len(obj.text) <= 140 else obj.text[:137] + "..."


class ResultForm(forms.ModelForm):
    class Meta:
        model = SkpResult
        fields = ["text", "parent_result"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"parent_result": ParentResultChoice}
        labels = {
            "text": "Rencana hasil kerja",
            "parent_result": "Rencana hasil kerja pimpinan yang diintervensi",
        }

    def __init__(self, *args, candidates=None, superior=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["parent_result"]
        field.queryset = candidates if candidates is not None else SkpResult.objects.none()
        field.empty_label = "- pilih hasil kerja atasan -"
        field.required = False
        if superior is not None:
            field.help_text = f"Hasil kerja atasan langsung Anda, {superior.full_name}."
        else:
            field.help_text = "Anda tidak memiliki atasan langsung dalam sistem; kosongkan."


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = SkpIndicator
        fields = ["text", "target_quantity", "target_unit", "target_quality", "target_months"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "target_quantity": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "target_quality": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "target_months": forms.NumberInput(attrs={"min": 1, "max": 12}),
        }
        labels = {
            "text": "Indikator kinerja individu",
            "target_quantity": "Target kuantitas",
            "target_unit": "Satuan",
            "target_quality": "Target kualitas (%)",
            "target_months": "Target waktu (bulan)",
        }
        # The model field's own minimum (0) answered -1 with "≥ 0", which suggests 0 is fine.
        error_messages = {
            "target_months": {"min_value": "Target waktu harus antara 1 dan 12 bulan."},
        }

    # The model's check constraints say the same, but as "Batasan “skpindicator_…” dilanggar."
    # above the card; these put an Indonesian message next to the field.
    def clean_target_quantity(self):
        value = self.cleaned_data.get("target_quantity")
        if value is not None and value <= 0:
            raise forms.ValidationError("Target kuantitas harus lebih dari 0.")
        return value

    def clean_target_quality(self):
        value = self.cleaned_data.get("target_quality")
        if value is not None and not 0 < value <= 100:
            raise forms.ValidationError(
                "Target kualitas harus lebih dari 0 dan paling tinggi 100%."
            )
        return value

    def clean_target_months(self):
        value = self.cleaned_data.get("target_months")
        if value is not None and not 1 <= value <= 12:
            raise forms.ValidationError("Target waktu harus antara 1 dan 12 bulan.")
        return value


IndicatorFormSet = inlineformset_factory(
    SkpResult,
    SkpIndicator,
    form=IndicatorForm,
    extra=1,
    min_num=1,
    validate_min=True,
    can_delete=True,
    max_num=10,
)


class BehaviourForm(forms.Form):
    """One text box per BerAKHLAK value: the specific expectation."""

    def __init__(self, *args, behaviours=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {b.value: b.expectation for b in (behaviours or [])}
        for value in CoreValue:
            self.fields[value.value] = forms.CharField(
                label=value.label,
                required=False,
                max_length=1000,
                error_messages={
                    "max_length": "Ekspektasi paling banyak 1.000 karakter; persingkat lalu "
                    "simpan lagi."
                },
                initial=current.get(value.value, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="; ".join(CORE_VALUE_GUIDE[value]),
            )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class RealisationForm(forms.Form):
    quantity = forms.DecimalField(
        label="Realisasi kuantitas",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    description = forms.CharField(
        label="Uraian realisasi", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    files = MultipleFileField(
        label="Bukti dukung (PDF, JPG, PNG)",
        required=False,
    )


# A reason over the limit was answered as missing ("Tuliskan alasan ..."), and the text was lost.
class RevisionForm(forms.Form):
    reason = forms.CharField(
        label="Alasan perubahan",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={
            "required": "Tuliskan alasan perubahan SKP.",
            "max_length": "Alasan perubahan paling banyak 2.000 karakter; persingkat lalu kirim "
            "lagi.",
        },
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label="Catatan pengembalian",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={
            "required": "Tuliskan alasan pengembalian agar pegawai dapat memperbaiki.",
            "max_length": "Catatan pengembalian paling banyak 2.000 karakter; persingkat lalu "
            "kirim lagi.",
        },
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PerformanceSettings
        fields = ["evaluation_period_months", "rating_deadline_day", "reminder_days"]

    def clean_evaluation_period_months(self):
        value = self.cleaned_data["evaluation_period_months"]
        if value not in ALLOWED_PERIOD_MONTHS:
            raise forms.ValidationError("Pilih 1, 3, 6 atau 12 bulan.")
        return value

    # The model's check constraints say the same; these put the message next to the field.
    def clean_rating_deadline_day(self):
        value = self.cleaned_data["rating_deadline_day"]
        if value is not None and not 1 <= value <= 28:
            raise forms.ValidationError("Tanggal batas penilaian harus antara 1 dan 28.")
        return value

    def clean_reminder_days(self):
        value = self.cleaned_data["reminder_days"]
        if value is not None and value > 27:
            raise forms.ValidationError("Pengingat paling banyak 27 hari sebelum batas.")
        return value


class ReopenForm(forms.Form):
    """BKPSDM reopens a locked month: why, and until when ratings are accepted again. The rules
    (length of the reason, the date's range) are the service's."""

    reason = forms.CharField(
        label="Alasan membuka kembali",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Tuliskan alasan membuka kembali periode."},
        help_text="Misalnya nomor putusan pengadilan atau penilaian yang salah pegawai.",
    )
    until = forms.DateField(
        label="Penilaian dapat dilakukan sampai",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Isi tanggal terakhir penilaian dapat dilakukan.",
            "invalid": "Tanggal tidak valid.",
        },
    )
