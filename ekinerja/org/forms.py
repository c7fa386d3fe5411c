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
        "throttled": "Terlalu banyak percobaan masuk yang gagal dari jaringan Anda. Coba lagi "
        "dalam %(minutes)s menit.",
    }

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "login_throttled", False):  # core.auth: per-address throttle
                from django.conf import settings

                raise ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": settings.LOGIN_IP_MINUTES},
                ) from None
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


class PasswordChangeForm(forms.Form):
    """The owner's own password: the current (or temporary) one, the new one twice. The rules
    themselves are the service's (org.services.password_change)."""

    old_password = forms.CharField(
        label="Kata sandi saat ini",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Isi kata sandi saat ini."},
    )
    new_password1 = forms.CharField(
        label="Kata sandi baru",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Paling sedikit 12 karakter, tidak hanya angka, tidak mirip NIP atau nama Anda.",
        error_messages={"required": "Isi kata sandi baru."},
    )
    new_password2 = forms.CharField(
        label="Ulangi kata sandi baru",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Ulangi kata sandi baru."},
    )

    def clean(self):
        data = super().clean()
        a, b = data.get("new_password1"), data.get("new_password2")
        if a and b and a != b:
            self.add_error("new_password2", "Kedua kata sandi baru tidak sama.")
        return data
