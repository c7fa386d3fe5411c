from django import forms

from ekinerja.core.files import SUFFIXES, read_head, sniff, suffix_fits
from ekinerja.core.periods import validate_date_in_range

from .models import Device, LeaveType
from .parsing import DAY_FIRST, MONTH_FIRST

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
DATE_ERRORS = {
    "required": "Wajib diisi.",
    "invalid": "Tanggal tidak valid (tulis hh/bb/tttt, mis. 28/02/2026; tanggal itu harus ada).",
}
TIME_ERRORS = {"required": "Wajib diisi.", "invalid": "Jam tidak valid (tulis jj:mm, mis. 07:30)."}
MAX_ATTACHMENT = 5 * 1024 * 1024


def _check_attachment(f):
    """PDF, JPG or PNG by name and by content (core.files), at most 5 MB."""
    if f is None:
        return f
    if not f.name.lower().endswith(SUFFIXES):
        raise forms.ValidationError("Lampiran harus PDF, JPG atau PNG.")
    if f.size > MAX_ATTACHMENT:
        raise forms.ValidationError("Lampiran maksimal 5 MB.")
    content_type = sniff(read_head(f))
    if content_type is None or not suffix_fits(content_type, f.name):
        raise forms.ValidationError("Isi lampiran bukan PDF, JPG atau PNG yang sah.")
    return f


class LeaveForm(forms.Form):
    leave_type = forms.ModelChoiceField(
        label="Jenis",
        queryset=LeaveType.objects.none(),
        empty_label="Pilih jenis cuti/izin",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": "Pilih jenis cuti/izin.",
            "invalid_choice": "Pilihan tidak valid.",
        },
    )
    date_from = forms.DateField(
        label="Mulai", widget=DATE, error_messages=DATE_ERRORS, validators=[validate_date_in_range]
    )
    date_to = forms.DateField(
        label="Sampai", widget=DATE, error_messages=DATE_ERRORS, validators=[validate_date_in_range]
    )
    reason = forms.CharField(
        label="Keterangan",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    attachment = forms.FileField(
        label="Lampiran (PDF/JPG/PNG, maks. 5 MB)",
        required=False,
        help_text="Cuti sakit, juga 1 hari: lampirkan surat keterangan dokter.",
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, instansi=None, not_for=(), **kwargs):
        """`not_for`: the codes the employee's status gives no right to (a PPPK's cuti besar,
        services.leave_codes_not_for), not offered."""
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = (
            LeaveType.objects.filter(instansi=instansi, is_active=True)
            .exclude(code__in=not_for)
            .order_by("name")
        )

    def clean_attachment(self):
        return _check_attachment(self.cleaned_data.get("attachment"))


class CorrectionForm(forms.Form):
    date = forms.DateField(
        label="Tanggal",
        widget=DATE,
        error_messages=DATE_ERRORS,
        validators=[validate_date_in_range],
    )
    time = forms.TimeField(
        label="Jam",
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
        error_messages=TIME_ERRORS,
    )
    reason = forms.CharField(
        label="Alasan",
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        error_messages={"required": "Alasan koreksi wajib diisi."},
    )
    attachment = forms.FileField(
        label="Lampiran (opsional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def clean_attachment(self):
        return _check_attachment(self.cleaned_data.get("attachment"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Berkas ekspor mesin (.csv, .xlsx, .dat)",
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".csv,.xlsx,.dat,.txt"}
        ),
        error_messages={"required": "Pilih berkas."},
    )
    device = forms.ModelChoiceField(
        label="Mesin asal (menentukan zona jam dan PIN)",
        queryset=Device.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    # How dates written nn/nn/yyyy are read. "Otomatis" refuses to guess when every date of the
    # file reads both ways (services.import_preview raises DateOrderUnclear onto this field).
    date_order = forms.ChoiceField(
        label="Format tanggal di berkas",
        required=False,
        choices=[
            ("", "Otomatis (tanya bila tanggalnya dapat dibaca dua cara)"),
            (DAY_FIRST, "Tanggal/bulan/tahun, mis. 31/12/2026 (Indonesia)"),
            (MONTH_FIRST, "Bulan/tanggal/tahun, mis. 12/31/2026 (format Amerika)"),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Pilihan format tanggal tidak valid."},
    )

    def __init__(self, *args, instansi=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = Device.objects.filter(instansi=instansi).order_by("serial")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx", ".dat", ".txt")):
            raise forms.ValidationError(
                "Jenis berkas tidak didukung; gunakan .csv, .xlsx atau .dat."
            )
        if f.size > 200 * 1024 * 1024:
            raise forms.ValidationError("Berkas maksimal 200 MB.")
        return f
