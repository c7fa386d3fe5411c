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

        try:
            return super().clean()
        except ValidationError:
            refusal = login_refusal(self.request)
            if refusal:
                raise ValidationError(refusal[1], code=refusal[0]) from None
            raise


def login_refusal(request) -> tuple[str, str] | None:
    """Why a failed login was refused beyond a wrong password, from the markers
    core.auth.LockoutModelBackend leaves on the request, as (code, message): the client's address
    refused for LOGIN_IP_MINUTES ("throttled"), or the account locked, until when in the
    instansi's clock ("locked"). None for a plain wrong password. The login page and the API's
    POST /auth/token say the same words."""
    from django.conf import settings
    from django.utils import timezone

    messages = LoginForm.error_messages
    if getattr(request, "login_throttled", False):  # core.auth: per-address throttle
        return "throttled", messages["throttled"] % {"minutes": settings.LOGIN_IP_MINUTES}
    # The lockout backend marks the request when the account is (or just became) locked.
    until = getattr(request, "login_locked_until", None)
    if not until:
        return None
    zone = getattr(request, "login_locked_zone", None)
    local = timezone.localtime(until, zoneinfo.ZoneInfo(zone) if zone else None)
    text = f"{local:%H.%M} {_ZONE_ABBR.get(zone, '')}".strip()
    return "locked", messages["locked"] % {"until": text}


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
