"""Registrations for tests/test_tenancy.py (merged in there) of the mobile app's devices (H3): the
account's own token (GET/DELETE /api/v1/auth/tokens/{id}, the password page's "Cabut") and the
employee whose devices an officer manages (/akun/<pk>/perangkat/)."""

from __future__ import annotations

from ekinerja.activities import services


def _own_token(t):
    """A live token of the tenant's user (the requests are theirs: their own device)."""
    return t.make(
        "api.own_token", lambda t: services.api_token_issue(actor=t.user, name="HP uji")[0]
    )


ROUTE_OBJECTS = {
    "api-v1:tokens_revoke": {"token_id": _own_token},
    "my-device-revoke": {"pk": _own_token},
    "account-devices": {"pk": lambda t: t.staff},
    "account-devices-revoke": {"pk": lambda t: t.staff},
}
