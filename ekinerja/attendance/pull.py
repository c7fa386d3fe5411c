"""Pulling punches from ZKTeco-compatible devices over the network (pyzk), for machines that cannot
push (ADMS). Per device: connect, read the attendance log, keep only records newer than the device's
`pulled_until` (with an hour of overlap: duplicates are skipped by the punch uniqueness), save them as
a raw dump before anything else, insert them, then move `pulled_until` and the watermark. A pull that
dies half-way is simply run again: it resumes from `pulled_until` and repeats nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from ekinerja.core.clock import local_today

from .models import Device
from .services import device_receive, device_touch, latest_plausible

OVERLAP = dt.timedelta(hours=1)


@dataclass
class PullResult:
    device: str
    read: int
    new: int
    inserted: int
    error: str = ""


def zk_connection(device: Device, timeout: int = 10):
    """An open pyzk connection (the device is disabled while it is read). The machine's Comm Key
    goes as pyzk's `password`, sent only when the machine asks for it (CMD_ACK_UNAUTH)."""
    from zk import ZK

    conn = ZK(
        device.ip_address,
        port=device.port,
        timeout=timeout,
        password=device.comm_key or 0,
        ommit_ping=True,
    ).connect()
    conn.disable_device()
    return conn


def _close(conn) -> None:
    try:
        conn.enable_device()
    finally:
        conn.disconnect()


def pull_device(device: Device, *, connect=None, recompute: bool = True) -> PullResult:
    connect = connect or zk_connection
    tz = zoneinfo.ZoneInfo(device.zone)
    # The latest plausible record time (the import's own rule: not after tomorrow). A mark beyond
    # it, left by a record of a clock that ran ahead before this rule, is ignored: every later
    # punch was read and dropped as "already pulled" (the machine's records are repeat-safe).
    latest = latest_plausible(local_today(device.instansi))
    since = (
        device.pulled_until.astimezone(tz).replace(tzinfo=None) - OVERLAP
        if device.pulled_until
        else None
    )
    if since is not None and since > latest:
        since = None
    try:
        conn = connect(device)
    except Exception as exc:  # noqa: BLE001 - any network/device failure is reported, not raised
        where = f"{device.ip_address}:{device.port}"
        if isinstance(exc, OSError | TimeoutError) or "timed out" in str(exc).lower():
            reason = "mesin tidak menjawab di alamat itu (periksa IP, port, kabel dan jaringan)"
        elif "unauthenticated" in str(exc).lower():
            # The key is the machine's password: this message reaches the server's log and the
            # command's output, so it says only whether one other than the default 0 was sent.
            sent = "0 (bawaan)" if not device.comm_key else "yang tersimpan (bukan 0)"
            reason = (
                f"mesin menolak Comm Key {sent}; samakan kolom Comm Key mesin ini di "
                "Mesin absensi dengan Comm Key di mesin (Menu → Komunikasi → Koneksi PC), atau "
                "setel keduanya ke 0"
            )
        else:
            reason = str(exc)
        return PullResult(device.serial, 0, 0, 0, f"Gagal terhubung ke {where}: {reason}")
    try:
        records = list(conn.get_attendance())
    finally:
        _close(conn)
    fresh = [r for r in records if since is None or r.timestamp >= since]
    fresh.sort(key=lambda r: r.timestamp)
    raw = "".join(
        f"{r.user_id}\t{r.timestamp:%Y-%m-%d %H:%M:%S}\t{r.status}\t{r.punch}\n" for r in fresh
    )
    inserted = 0
    if fresh:
        dump = device_receive(device=device, raw=raw, channel="pull", recompute=recompute)
        inserted = dump.inserted
        plausible = [r.timestamp for r in fresh if r.timestamp <= latest]
        if plausible:  # an implausible record (device_receive reports it) never moves the mark
            newest = plausible[-1].replace(tzinfo=tz)
            Device.objects.filter(pk=device.pk).update(pulled_until=newest)
    device_touch(device, watermark=True, now=timezone.now())
    return PullResult(device.serial, len(records), len(fresh), inserted)
