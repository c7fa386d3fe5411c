"""The `ekinerja-result/1` document of a computed run (scenario-format.md, "Result")."""

from __future__ import annotations

from ekinerja.tpp.models import Result, Run

FORMAT = "ekinerja-result/1"
# What the stored explanation adds to the format's row (kept for the web explanation page only).
_EXTRA = {
    "lines",
    "days_in_post",
    "status_factor",
    "presence_rate",
    "sentence_level",
    "pph21_rate",
    "pph21_key",
    "subtotal",
    "position",
    "kelas",
    "pots",
    "weights",
    "allowance_names",
}
_EXTRA_ATTENDANCE = {"late_by_band", "early_by_band", "present_days"}
_EXTRA_ACTIVITY = {"uncapped_minutes", "days_over_cap"}


def _row(detail: dict) -> dict:
    row = {k: v for k, v in detail.items() if k not in _EXTRA}
    for key, extra in (("attendance", _EXTRA_ATTENDANCE), ("activity", _EXTRA_ACTIVITY)):
        if isinstance(row.get(key), dict):
            row[key] = {k: v for k, v in row[key].items() if k not in extra}
    for allowance in (row.get("allowances") or {}).values():
        for key, extra in (("attendance", _EXTRA_ATTENDANCE), ("activity", _EXTRA_ACTIVITY)):
            if isinstance(allowance.get(key), dict):
                allowance[key] = {k: v for k, v in allowance[key].items() if k not in extra}
    return row


def result_document(run: Run) -> dict:
    rows = [_row(r.detail) for r in Result.objects.filter(run=run).order_by("nip")]
    return {
        "format": FORMAT,
        "instansi": run.instansi.code,
        "period": run.period,
        "policy": (run.policy_data or {}).get("name", run.policy.name if run.policy_id else ""),
        "employees": rows,
        "totals": {
            "employees": len(rows),
            "gross": sum(r["gross"] for r in rows),
            "pph21": sum(r["pph21"] for r in rows),
            "health_insurance": sum(r["health_insurance"] for r in rows),
            "net": sum(r["net"] for r in rows),
        },
    }
