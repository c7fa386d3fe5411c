"""The WSGI entry point: requests of the mobile app (a bearer token on /api/v1/, no cookie) go through
a short middleware stack (settings.API_MIDDLEWARE); everything else, browser pages and the API called
from pages with their session, through settings.MIDDLEWARE.

A bearer request needs no session, CSRF cookie, messages, language negotiation (the API speaks
Indonesian only), static files or the session user's time zone. What it keeps: the security headers
(SecurityMiddleware, XFrameOptionsMiddleware), compression (GZipMiddleware), CommonMiddleware, and
BearerRequestMiddleware, which gives the request what the skipped ones would have: an anonymous
`request.user` until the token authenticates, the default time zone and language. The token rules themselves are in api.auth and
apply on either stack.
"""

from __future__ import annotations

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone, translation

API_PREFIX = "/api/v1/"


def is_bearer_request(environ) -> bool:
    """A request of the mobile app: API path, bearer token, and no cookie at all (a browser page
    calling the API sends its session and CSRF cookies and keeps the full stack)."""
    return (
        environ.get("PATH_INFO", "").startswith(API_PREFIX)
        and environ.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        and not environ.get("HTTP_COOKIE")
    )


class BearerRequestMiddleware:
    """In the short stack: what the browser middleware would have set for a cookie-less request."""

    def __init__(self, get_response):
        from django.contrib.auth.models import AnonymousUser  # the app registry is ready now

        self.get_response = get_response
        self.anonymous = AnonymousUser

    def __call__(self, request):
        request.user = self.anonymous()  # replaced by api.auth.TokenAuth when the token is valid
        timezone.deactivate()  # InstansiTimezoneMiddleware does the same for an anonymous user
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


class _ShortStackHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class Handler(WSGIHandler):
    def __init__(self):
        super().__init__()
        self.short = _ShortStackHandler()

    def __call__(self, environ, start_response):
        if is_bearer_request(environ):
            return self.short(environ, start_response)
        return super().__call__(environ, start_response)


def get_application() -> Handler:
    django.setup(set_prefix=False)
    return Handler()
