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


class SessionTimeoutMiddleware:
    """A logged-in session ends SESSION_IDLE_MINUTES after its last request (SESSION_COOKIE_AGE is
    that idle time, and each renewal moves the session's expiry) and SESSION_MAX_HOURS after the
    login, however busy. The renewal is a write of the session, so it happens at most once every
    RENEW_SECONDS: an idle session still ends within a minute of its time.

    What a logged-in user is shown is not kept by the browser (`Cache-Control: no-store`, unless
    the view chose its own caching): on an office PC shared by several employees, the next person
    pressed Back after "Keluar" and read the previous one's TPP, NIP and bank account from the
    browser's cache, the session ended or not."""

    RENEW_SECONDS = 60
    SEEN = "_ek_seen"
    STARTED = "_ek_started"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is None or user is None or not user.is_authenticated:
            return self.get_response(request)
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        now = int(time.time())
        started = session.get(self.STARTED)
        if started is None:
            session[self.STARTED] = now  # set at the login (core.signals); older sessions here
        elif now - started > settings.SESSION_MAX_HOURS * 3600:
            logout(request)  # the view sees an anonymous user: the login page, then back
            return _not_stored(self.get_response(request))
        if now - session.get(self.SEEN, 0) >= self.RENEW_SECONDS:
            session[self.SEEN] = now
        return _not_stored(self.get_response(request))


def _not_stored(response):
    """The response of a logged-in request, not to be kept by the browser (or a proxy) unless the
    view set its own Cache-Control (a private file's "private, no-store", for instance)."""
    if not response.has_header("Cache-Control"):
        from django.utils.cache import add_never_cache_headers

        add_never_cache_headers(response)
    return response


class MethodNotAllowedPageMiddleware:
    """Django answers a request with the wrong method (a bookmarked or reloaded address of a form's
    action, `GET /keluar/`) with an empty 405; people get the Indonesian page (405.html) instead,
    with the same status and Allow header. The machines' push and the JSON API answer for
    themselves."""

    OWN_ANSWER = ("/api/", "/iclock/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or getattr(response, "streaming", False)
            or response.content
            or request.path.startswith(self.OWN_ANSWER)
        ):
            return response
        from django.shortcuts import render

        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


class NulCharacterMiddleware:
    """A NUL character in a page's query string or form field answers 400 ("Permintaan tidak
    valid"; nothing changed): PostgreSQL refuses it in any text, so a search such as
    `?q=a%00b` ended in a server error, and a form field would too on saving. The JSON API checks
    its own fields (core.http.Text)."""

    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    #: the JSON API answers for itself (field errors, 422); machines push raw text here
    OWN_ANSWER = ("/api/", "/iclock/")

    def __call__(self, request):
        if request.path_info.startswith(self.OWN_ANSWER):
            return self.get_response(request)
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in self.FORMS
            and _has_nul(request.POST)
        ):
            from django.core.exceptions import BadRequest

            raise BadRequest("NUL character in a parameter")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())
