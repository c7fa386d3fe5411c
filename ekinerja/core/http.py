"""Small request helpers shared by the apps' views."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Annotated

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from .periods import MAX_YEAR, MIN_YEAR, date_in_range


def safe_next(request, fallback: str, field: str = "next") -> str:
    """Where to go back to after a form: the request's `next` (POST, else GET) when it is a URL of
    this site, else `fallback`. A `next` of another site (https://evil.example/, //evil.example,
    javascript:...) would turn the app's redirect into a phishing link. Only a path ("/...") or a
    full URL is followed: a bare word ("abc") is taken by redirect() for a view name, and failing to
    find one was a server error."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    local = target.startswith(("/", "http://", "https://"))
    if local and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy the header it sets from the
    connection (settings.CLIENT_IP_HEADER, e.g. "HTTP_X_REAL_IP" for nginx's
    `proxy_set_header X-Real-IP $remote_addr`). Used for the audit log and the per-address login
    throttle; the header must be one the proxy overwrites, or clients could choose their address."""
    if request is None:
        return None
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    # X-Forwarded-For may hold a chain; the proxy appends the address it saw last.
    value = _address(value.split(",")[-1]) if value else None
    return value or _address(request.META.get("REMOTE_ADDR") or "")


def _address(value: str) -> str | None:
    """An IP address as the audit log stores it, from a header's text: "203.0.113.7",
    "203.0.113.7:51234" and "[2001:db8::1]:443" (a proxy that passes the port) give the address;
    anything else ("unknown", a host name, a misconfigured header) gives None and the connection's
    own address is used: it was written into the audit log's address column, a server error on
    PostgreSQL for every login."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


#: The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def id_param(raw) -> int | None:
    """An id from a query or form value: ASCII digits within a row id's range, else None (a
    hand-edited `?unit=abc` or a 20-digit number is "nothing chosen", not a server error)."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def _without_nul(value: str) -> str:
    if "\x00" in value:
        # The type names the message in api.errors.PREDICATES.
        raise PydanticCustomError("string_nul", "String should not contain NUL characters")
    return value


#: A text sent to the JSON API: a NUL character is a field error (422), as Django's form fields
#: refuse it. PostgreSQL can neither store nor compare such a string: it was a server error there.
Text = Annotated[str, AfterValidator(_without_nul)]


def _date_in_range(value: dt.date) -> dt.date:
    if not date_in_range(value):
        # The type names the message in api.errors.PREDICATES; the bounds go with it in `ctx`.
        raise PydanticCustomError(
            "date_out_of_range",
            "Date should be within the years {min_year}-{max_year}",
            {"min_year": MIN_YEAR, "max_year": MAX_YEAR},
        )
    return value


#: A date sent to the JSON API, within the years the app accepts (core.periods.date_in_range), as
#: the forms' dates are: 0001-01-01 or 9999-12-31 is a field error (422), not an empty answer or a
#: query far outside any data.
Date = Annotated[dt.date, AfterValidator(_date_in_range)]

#: A calendar year sent to the JSON API, within the same years (`?year=0` is a field error).
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
