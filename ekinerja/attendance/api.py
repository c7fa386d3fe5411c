"""Phone check-in API (a django-ninja router; mounted by ekinerja.api.v1 under /kehadiran)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from ekinerja.core.http import Text
from ekinerja.core.idempotency import idempotent
from ekinerja.core.periods import Period
from ekinerja.org.selectors import employee_for_user

from . import selectors, services

router = Router(tags=["kehadiran"])
MAX_SELFIE = 2 * 1024 * 1024
NONCE_EXAMPLE = "3f2b8c1d9e7a4b6c8d0e1f2a3b4c5d6e"


class CheckinIn(Schema):
    # Finite numbers only: "nan" was accepted as an accuracy, stored as none and so never sent to
    # review (the rule is: worse than 100 m, or none, is reviewed).
    # Degrees (WGS 84): a field error (422) beyond the globe, as the published schema says.
    latitude: float = Field(..., ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(..., ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(None, ge=0, allow_inf_nan=False)
    mock_location: bool = False
    # Its length is checked by the service (services.mobile_checkin: 16-64 characters once
    # stripped, refused 400 `nonce`); the schema documents it rather than refusing it a second way.
    nonce: Text = Field(
        ...,
        description="Sekali pakai: 16-64 karakter (spasi di awal dan akhir diabaikan), karakter "
        "apa pun kecuali NUL, mis. UUID tanpa tanda hubung. Panjang lain ditolak 400 `nonce`, "
        "nonce yang sudah terpakai 409 `replay`.",
        json_schema_extra={"minLength": 16, "maxLength": 64, "examples": [NONCE_EXAMPLE]},
    )
    # With its offset ("...+08:00", "...Z"): a time without one names no instant, and was refused
    # as a phone clock 5 minutes off (code "clock"); it is a `timezone_aware` field error (422).
    client_time: AwareDatetime
    selfie_base64: str | None = None


class CheckinOut(Schema):
    id: int
    at: dt.datetime
    office: str | None
    needs_review: bool


class Refusal(Schema):
    code: str
    detail: str


class DayOut(Schema):
    date: dt.date
    status: str
    working: bool
    start: dt.datetime | None
    end: dt.datetime | None
    check_in: dt.datetime | None
    check_out: dt.datetime | None
    late_minutes: int
    early_minutes: int
    leave_type: str | None


def _base64_text(text: str) -> str:
    """The base64 of a selfie as phones send it: Android's Base64.DEFAULT breaks lines every 76
    characters, and a web client may send a data URL ("data:image/jpeg;base64,..."). Both were
    refused as invalid base64; the line breaks and the prefix are dropped, anything else that is
    not base64 still is."""
    if text.startswith("data:") and ";base64," in text[:100]:
        text = text.split(",", 1)[1]
    return "".join(text.split())


@router.post(
    "/checkin",
    response={201: CheckinOut, 400: Refusal, 403: Refusal, 409: Refusal, 422: Refusal},
)
@idempotent  # Idempotency-Key: a resent check-in gets the first answer, not `replay`
def checkin(request, data: CheckinIn):
    """Check in or out from the phone. The server's clock sets the time; the location must be inside
    an office geofence of the employee's unit (or during approved WFH / dinas luar). Each `nonce` can
    be used once; `client_time` must be within 5 minutes of the server. Mock location, accuracy worse
    than 100 m or no accuracy sends the punch to the superior for review."""
    employee = employee_for_user(request.user)
    if employee is None:
        return Status(
            403, {"code": "forbidden", "detail": "Akun ini tidak terhubung ke data pegawai."}
        )
    photo = None
    if data.selfie_base64:
        try:
            photo = base64.b64decode(_base64_text(data.selfie_base64), validate=True)
        except (binascii.Error, ValueError):
            return Status(400, {"code": "selfie", "detail": "Swafoto tidak valid (base64)."})
        if len(photo) > MAX_SELFIE:
            return Status(
                400, {"code": "selfie", "detail": "Swafoto terlalu besar (maksimal 2 MB)."}
            )
    try:
        punch = services.mobile_checkin(
            actor=request.user,
            employee=employee,
            latitude=data.latitude,
            longitude=data.longitude,
            accuracy_m=data.accuracy_m,
            mock_location=data.mock_location,
            nonce=data.nonce,
            client_time=data.client_time,
            photo=photo,
        )
    except services.CheckinRefused as exc:
        return Status(exc.status, {"code": exc.code, "detail": exc.message})
    return Status(
        201,
        {
            "id": punch.id,
            "at": punch.at,
            "office": punch.office.name if punch.office else None,
            "needs_review": punch.needs_review,
        },
    )


@router.get("/bulan/{period}", response={200: list[DayOut], 400: Refusal, 403: Refusal})
def my_month(request, period: str):
    """The caller's own days of a month (YYYY-MM), as the month page shows them."""
    employee = employee_for_user(request.user)
    if employee is None:
        return Status(
            403, {"code": "forbidden", "detail": "Akun ini tidak terhubung ke data pegawai."}
        )
    try:
        p = Period.parse(period)
    except ValueError as exc:
        return Status(400, {"code": "period", "detail": str(exc)})
    days = selectors.attendance_days([employee], p.first_day, p.last_day)[employee.id]
    return Status(
        200,
        [
            {
                "date": f.date,
                "status": f.status,
                "working": f.working,
                "start": f.start,
                "end": f.end,
                "check_in": f.check_in,
                "check_out": f.check_out,
                "late_minutes": f.late_minutes,
                "early_minutes": f.early_minutes,
                "leave_type": f.leave_type,
            }
            for f in days
        ],
    )
