"""Temporary passwords: what an officer hands an employee for a new account or after a reset.

A temporary password is random (TEMPORARY_LENGTH characters from an alphabet without look-alikes,
about 69 bits), shown once and never stored in clear. It is hashed with TemporaryPasswordHasher, a
PBKDF2 with far fewer rounds than Django's default, so a unit's hundreds of accounts are created in
one request; the first login re-hashes it with the default hasher (Django upgrades any hash whose
algorithm is not the preferred one) and the owner must choose their own password at once
(`User.must_change_password`). Guessing 69 random bits is out of reach whatever the rounds.

`password_set` is sent after a password was set by its owner or issued by an officer; the apps that
hold credentials derived from the old one (the mobile app's API tokens) revoke them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.dispatch import Signal

ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12

#: sent with `user` (whose password changed) and `by_owner` (False: issued by an officer).
password_set = Signal()


class TemporaryPasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sementara"
    iterations = 20_000


def temporary_password() -> str:
    """Random, at least one lower-case letter, upper-case letter and digit (so it passes any
    character-class rule a Pemda adds), no look-alike characters (0/O, 1/l/I)."""
    while True:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(TEMPORARY_LENGTH))
        if (
            any(c.islower() for c in raw)
            and any(c.isupper() for c in raw)
            and any(c.isdigit() for c in raw)
        ):
            return raw


def temporary_hash(raw: str) -> str:
    """The stored hash of a temporary password: TemporaryPasswordHasher when the installation lists
    it in PASSWORD_HASHERS (the default settings do), else the preferred hasher."""
    path = f"{TemporaryPasswordHasher.__module__}.{TemporaryPasswordHasher.__qualname__}"
    if path in settings.PASSWORD_HASHERS:
        return make_password(raw, hasher=TemporaryPasswordHasher.algorithm)
    return make_password(raw)
