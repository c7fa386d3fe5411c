"""The one tenancy helper. Every view, API route and selector that serves a user goes through it,
so a user of one instansi never sees another's rows, and another's object URL answers 404."""

from __future__ import annotations

from django.db import models
from django.http import Http404

from .models import Instansi


def instansi_of(user) -> Instansi | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.instansi


def scoped(qs: models.QuerySet | type[models.Model], user) -> models.QuerySet:
    """Rows of the user's own instansi only; nothing at all for a user without one."""
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    instansi = instansi_of(user)
    if instansi is None:
        return qs.none()
    return qs.filter(instansi=instansi)


def for_instansi(qs: models.QuerySet | type[models.Model], instansi: Instansi) -> models.QuerySet:
    """Rows of one instansi, for jobs and commands that act for an instansi rather than a user."""
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    return qs.filter(instansi=instansi)


def get_scoped_or_404(qs: models.QuerySet | type[models.Model], user, **lookup):
    try:
        return scoped(qs, user).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Data tidak ditemukan.") from exc
