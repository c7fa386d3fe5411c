"""Local dates: each instansi lives in its own zone (WIB, WITA, WIT)."""

import datetime as dt
import zoneinfo

from django.utils import timezone


def local_now(instansi) -> dt.datetime:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(instansi.timezone))


def local_today(instansi) -> dt.date:
    return local_now(instansi).date()
