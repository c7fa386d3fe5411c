import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm

_ZONE_ABBR = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="NIP atau nama pengguna",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}
        ),
    )
    password = forms.CharField(
        label="Kata sandi",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "NIP/nama pengguna atau kata sandi salah.",
        "inactive": "Akun ini tidak aktif.",
        "locked": "Akun terkunci sementara karena terlalu banyak percobaan gagal. Coba lagi setelah %(until)s.",
    }

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        try:
            return super().clean()
        except ValidationError:
            # The lockout backend marks the request when the account is (or just became) locked.
            until = getattr(self.request, "login_locked_until", None)
            if until:
                zone = getattr(self.request, "login_locked_zone", None)
                local = timezone.localtime(until, zoneinfo.ZoneInfo(zone) if zone else None)
                text = f"{local:%H:%M} {_ZONE_ABBR.get(zone, '')}".strip()
                raise ValidationError(
                    self.error_messages["locked"], code="locked", params={"until": text}
                ) from None
            raise


class ImportUploadForm(forms.Form):
    # Empty files reach the importer, whose message says what is wrong in the same words as the rest.
    file = forms.FileField(
        label="Berkas (xlsx atau csv)",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            }
        ),
    )
