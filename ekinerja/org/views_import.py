"""Pages for importing employees and organisation from a spreadsheet (BKPSDM only):
upload -> preview (stored with the file) -> apply exactly the previewed file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ekinerja.core.scoping import get_scoped_or_404, scoped

from . import importer, services
from .forms import ImportUploadForm
from .models import ImportBatch

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_import_permission(request) -> None:
    if not request.user.has_perm("org.import_employees"):
        raise PermissionDenied


def _batch(request, token) -> ImportBatch:
    return get_scoped_or_404(
        ImportBatch.objects.select_related("uploaded_by__employee", "applied_by__employee"),
        request.user,
        token=token,
    )


@login_required
def employee_import(request):
    _require_import_permission(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_batch_create(
                actor=request.user, instansi=request.user.instansi, upload=form.cleaned_data["file"]
            )
        except importer.ImportFileError as exc:
            form.add_error("file", exc)
        else:
            return redirect("employee-import-preview", token=batch.token)
    batches = scoped(ImportBatch, request.user).select_related("uploaded_by__employee")[:20]
    return render(
        request,
        "org/import_upload.html",
        {
            "form": form,
            "batches": batches,
            "columns": importer.COLUMNS,
            "max_mb": importer.MAX_BYTES // (1024 * 1024),
            "max_rows": importer.MAX_ROWS,
        },
    )


@login_required
def employee_import_template(request):
    _require_import_permission(request)
    response = HttpResponse(importer.template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="templat-impor-pegawai.xlsx"'
    return response


def _render_preview(request, batch: ImportBatch, summary: dict):
    plan = summary.get("plan_counts", {})
    row_counts = summary.get("row_counts", {})
    has_changes = any(plan.values())
    return render(
        request,
        "org/import_preview.html",
        {
            "batch": batch,
            "summary": summary,
            "row_counts": row_counts,
            "plan": plan,
            "has_changes": has_changes,
            "can_apply": (
                batch.status == ImportBatch.Status.PREVIEWED
                and not summary.get("error_total")
                and has_changes
            ),
            "errors_page": Paginator(summary.get("errors", []), PAGE_SIZE).get_page(
                request.GET.get("hal_galat")
            ),
            "changes_page": Paginator(summary.get("changed", []), PAGE_SIZE).get_page(
                request.GET.get("hal")
            ),
            "action_labels": importer.ACTION_LABELS,
        },
    )


@login_required
def employee_import_preview(request, token):
    _require_import_permission(request)
    batch = _batch(request, token)
    return _render_preview(request, batch, batch.preview)


@login_required
@require_POST
def employee_import_apply(request, token):
    _require_import_permission(request)
    batch = _batch(request, token)
    try:
        result = services.import_batch_apply(actor=request.user, batch=batch)
    except services.ImportRejected as exc:
        # The data changed since the preview (or the file always had errors): show today's errors.
        messages.error(request, exc.messages[0])
        return _render_preview(request, batch, exc.preview.summary())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("employee-import-preview", token=batch.token)
    if result.changed:
        c = result.counts
        messages.success(
            request,
            f"Impor diterapkan: {c['employees_created']} pegawai baru, {c['employees_updated']} "
            f"pegawai diubah, {c['units_created'] + c['units_updated']} unit dan "
            f"{c['positions_created'] + c['positions_updated']} jabatan baru/diubah, "
            f"{c['assignments_created']} penempatan jabatan baru.",
        )
    else:
        messages.info(request, "Tidak ada perubahan: semua baris sama dengan data yang tercatat.")
    return redirect("employee-import-preview", token=batch.token)
