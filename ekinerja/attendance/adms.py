"""The push protocol of ZKTeco-compatible devices (ADMS / "iclock"), so a Pemda can point its machines
at the server instead of running pull scripts.

- GET  /iclock/cdata?SN=...&options=all   handshake: the server answers with the device's options.
- POST /iclock/cdata?SN=...&table=ATTLOG  punch lines `PIN<TAB>YYYY-MM-DD HH:MM:SS<TAB>...`;
                                          answered `OK: <lines>`.
- GET  /iclock/getrequest?SN=...          the device polls for commands (none are sent): "OK".
- POST /iclock/devicecmd?SN=...           command results: "OK".

Only registered, active serial numbers are served; anything else gets 403 and is not stored. The
device's clock runs in its own zone (Device.timezone), which the handshake also tells it.
"""

from __future__ import annotations

import logging
import zoneinfo

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ekinerja.core.http import client_ip

from .models import Device
from .services import device_receive, device_touch

MAX_BODY = 5 * 1024 * 1024

log = logging.getLogger(__name__)

#: A refused machine calls every few seconds: its refusal is logged once an hour per serial.
REFUSED_LOG_EVERY = 3600


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def _device(request) -> Device | None:
    serial = (request.GET.get("SN") or "").strip()
    if not serial or len(serial) > 40:
        return None
    device = Device.objects.select_related("instansi").filter(serial=serial).first()
    if device is not None and device.is_active:
        return device
    # The machine itself is only told 403: Kominfo setting one up finds in the log why (a serial
    # typed differently in Mesin absensi, or a machine BKPSDM has not activated yet).
    try:
        first = cache.add(f"adms-refused:{serial}", 1, REFUSED_LOG_EVERY)
    except Exception:  # noqa: BLE001 - the cache down: log every refusal rather than fail
        first = True
    if first:
        log.warning(
            "Mesin ADMS dengan nomor seri %r dari %s ditolak: %s",
            serial,
            client_ip(request) or "?",
            "belum diaktifkan BKPSDM"
            if device is not None
            else "nomor seri ini tidak terdaftar di Mesin absensi",
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
