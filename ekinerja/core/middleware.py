import zoneinfo

from django.utils import timezone


class InstansiTimezoneMiddleware:
    """Show times in the zone of the user's instansi (WIB, WITA or WIT)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        instansi = getattr(user, "instansi", None) if user and user.is_authenticated else None
        if instansi is not None:
            timezone.activate(zoneinfo.ZoneInfo(instansi.timezone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account holding an officer-issued temporary password (`User.must_change_password`) reaches
    only the password page and the logout until its owner has chosen their own password."""

    ALLOWED = ("password-change", "logout")
    #: the JSON API answers for itself (no token while the password is temporary); machines push here
    OWN_ANSWER = ("/api/", "/iclock/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path_info.startswith(self.OWN_ANSWER)
        ):
            from django.shortcuts import redirect
            from django.urls import Resolver404, resolve

            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in self.ALLOWED:
                return redirect("password-change")
        return self.get_response(request)
