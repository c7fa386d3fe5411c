"""The push protocol of ZKTeco-compatible devices (ADMS / "iclock"), so a Pemda can point its machines
at the server instead of running pull scripts.

- GET  /iclock/cdata?SN=...&options=all   handshake: the server answers with the device's options.
- POST /iclock/cdata?SN=...&table=ATTLOG  punch lines `PIN<TAB>YYYY-MM-DD HH:MM:SS<TAB>...`;
                                          answered `OK: <lines>`.
- GET  /iclock/getrequest?SN=...          the device polls for commands (none are sent): "OK".
- POST /iclock/devicecmd?SN=...           command results: "OK".

Only registered, active serial numbers are served; anything else gets 403 and is not stored. The
refusal itself is kept (RefusedDevice: the serial, address, tries, reason; one row per serial) for
Kominfo's home card, and logged once an hour per serial. The device's clock runs in its own zone
(Device.timezone), which the handshake also tells it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import zoneinfo

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ekinerja.core.http import client_ip

from .models import Device, RefusedDevice
from .services import device_receive, device_touch

MAX_BODY = 5 * 1024 * 1024

log = logging.getLogger(__name__)

#: A refused machine calls every few seconds: its refusal is logged once an hour per serial.
REFUSED_LOG_EVERY = 3600
#: Refused serials not seen for this long are forgotten; at most this many are kept (anyone on the
#: machines' network can send any serial: the table must not grow with them).
REFUSED_KEEP_DAYS = 30
REFUSED_MAX_ROWS = 200


def refusal_record(
    *, serial: str, reason: str, instansi_id: int | None, ip: str | None, now=None
) -> None:
    """Counts one refused call of a machine: its row (one per serial) gets the time, address,
    reason and one more try. A serial seen for the first time first prunes the rows not seen for
    REFUSED_KEEP_DAYS and the oldest beyond REFUSED_MAX_ROWS, so the table stays bounded. Never
    raises: the machine is answered 403 whatever happens here."""
    now = now or timezone.now()
    fields = {"reason": reason, "instansi_id": instansi_id, "ip_address": (ip or "")[:45]}
    try:
        with transaction.atomic():
            if RefusedDevice.objects.filter(serial=serial).update(
                last_seen=now, attempts=F("attempts") + 1, **fields
            ):
                return
            RefusedDevice.objects.filter(
                last_seen__lt=now - dt.timedelta(days=REFUSED_KEEP_DAYS)
            ).delete()
            # The cap holds unknown serials only (anyone reaching /iclock/ can invent them); a
            # registered serial's row (inactive, another letter case) is bounded by the machines
            # registered, so made-up serials cannot push it off Kominfo's card.
            beyond = (
                list(
                    RefusedDevice.objects.filter(instansi__isnull=True)
                    .order_by("-last_seen", "-id")
                    .values_list("id", flat=True)[REFUSED_MAX_ROWS - 1 :]
                )
                if instansi_id is None
                else []
            )
            if beyond:
                RefusedDevice.objects.filter(id__in=beyond).delete()
            RefusedDevice.objects.create(serial=serial, first_seen=now, last_seen=now, **fields)
    except IntegrityError:  # the same machine's concurrent call created the row first
        RefusedDevice.objects.filter(serial=serial).update(
            last_seen=now, attempts=F("attempts") + 1, **fields
        )
    except Exception:  # noqa: BLE001 - the log line below still says it
        log.exception("Penolakan mesin ADMS %r tidak dapat dicatat", serial)


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def _device(request) -> Device | None:
    serial = (request.GET.get("SN") or "").strip()
    if not serial or len(serial) > 40:
        return None
    device = Device.objects.select_related("instansi").filter(serial=serial).first()
    if device is not None and device.is_active:
        return device
    # The machine itself is only told 403: Kominfo setting one up sees why on the home page and in
    # the log (a serial typed differently in Mesin absensi, or a machine BKPSDM has not activated).
    if device is not None:
        reason, instansi_id = RefusedDevice.Reason.INACTIVE, device.instansi_id
    else:
        # Registered in another letter case (the machine compares exactly): whose it is is known.
        instansi_id = (
            Device.objects.filter(serial__iexact=serial)
            .values_list("instansi_id", flat=True)
            .first()
        )
        reason = RefusedDevice.Reason.UNKNOWN if instansi_id is None else RefusedDevice.Reason.CASE
    ip = client_ip(request)
    refusal_record(serial=serial, reason=reason, instansi_id=instansi_id, ip=ip)
    try:
        first = cache.add(
            f"adms-refused:{hashlib.sha1(serial.encode()).hexdigest()}", 1, REFUSED_LOG_EVERY
        )
    except Exception:  # noqa: BLE001 - the cache down: log every refusal rather than fail
        first = True
    if first:
        log.warning(
            "Mesin ADMS dengan nomor seri %r dari %s ditolak: %s",
            serial,
            ip or "?",
            "belum diaktifkan BKPSDM"
            if reason == RefusedDevice.Reason.INACTIVE
            else "nomor seri ini tidak terdaftar di Mesin absensi"
            + (" (terdaftar dengan huruf besar/kecil berbeda)" if instansi_id else ""),
        )
    return None


def _offset_hours(device: Device) -> int:
    off = zoneinfo.ZoneInfo(device.zone).utcoffset(timezone.now().replace(tzinfo=None))
    return int(off.total_seconds() // 3600)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def cdata(request):
    device = _device(request)
    if device is None:
        return HttpResponseForbidden("Unknown device", content_type="text/plain")
    if request.method == "GET":
        device_touch(device)
        return _text(
            "\n".join(
                [
                    f"GET OPTION FROM: {device.serial}",
                    "ATTLOGStamp=None",
                    "OPERLOGStamp=9999",
                    "ATTPHOTOStamp=None",
                    "ErrorDelay=30",
                    "Delay=10",
                    "TransTimes=00:00;14:05",
                    "TransInterval=1",
                    "TransFlag=TransData AttLog",
                    f"TimeZone={_offset_hours(device)}",
                    "Realtime=1",
                    "Encrypt=None",
                ]
            )
            + "\n"
        )
    if len(request.body) > MAX_BODY:
        return _text("Payload too large", 413)
    table = (request.GET.get("table") or "").upper()
    body = request.body.decode("utf-8", errors="replace")
    if table != "ATTLOG":
        # Operation logs, photos, user records: acknowledged, not used.
        return _text("OK")
    dump = device_receive(device=device, raw=body, channel="push", table=table)
    device_touch(device)
    return _text(f"OK: {dump.lines}")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def getrequest(request):
    device = _device(request)
    if device is None:
        return HttpResponseForbidden("Unknown device", content_type="text/plain")
    device_touch(device, watermark=True)
    return _text("OK")


@csrf_exempt
@require_http_methods(["POST"])
def devicecmd(request):
    device = _device(request)
    if device is None:
        return HttpResponseForbidden("Unknown device", content_type="text/plain")
    return _text("OK")
