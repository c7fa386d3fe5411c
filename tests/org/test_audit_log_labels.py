"""The audit log reads in Indonesian: every action code the code base writes has a label (found by
reading the source, so a new code without one fails here), objects have a readable text, and times
are Indonesian dates in the instansi's zone. The employee import pages write their times the same way."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse

from ekinerja.activities.models import ReviewOutcome
from ekinerja.core import audit_labels
from ekinerja.core.audit_labels import ACTION_LABELS, action_label, object_label
from ekinerja.core.models import AuditEvent
from ekinerja.org.models import ImportBatch, Role
from ekinerja.tpp.models import Adjustment, Run, Withholding
from tests.factories import InstansiFactory, employee_with_login, grant

SOURCE = Path(__file__).resolve().parents[2] / "ekinerja"

# The values the f-string codes take ("{}" where the source computes a part), from the code that
# writes them. A new f-string code fails the test until it is listed here (and labelled).
TEMPLATE_VALUES: dict[str, list[str]] = {
    # activities.services.entry_verify / verify_bulk: decision in ("approve", "reject", "return")
    "activities.entry.{}": ["approve", "reject", "return"],
    # activities.services.review_decide: the outcomes other than pending
    "activities.review.{}": [o.value for o in ReviewOutcome if o != ReviewOutcome.PENDING],
    # attendance.services.leave_request_decide: action = "approve" if approve else "reject"
    "attendance.leave.{}": ["approve", "reject"],
}


def _admin_models(app_label: str) -> list[str]:
    """model_name of the models the app's AuditedAdmin records ("attendance.{model}.create")."""
    module = __import__(f"ekinerja.{app_label}.admin", fromlist=["AuditedAdmin"])
    return [
        model._meta.model_name
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, module.AuditedAdmin)
        and type(model_admin).save_model is module.AuditedAdmin.save_model
    ]


class _Collector:
    """The action codes a module writes: the `action=` argument of any call, and the positional
    argument of the module's helpers that take an `action` and pass it on (_issue_events,
    _bulk_audit); module constants and `.replace(a, b)` of the parameter are followed."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        # helper name -> (index of its `action` parameter, None when keyword-only; replacements
        # applied to it, like org.services._save's .replace(".create", ".update"))
        self.helpers: dict[str, tuple[int | None, list[tuple[str, str]]]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args]
                if "action" in names:
                    self.helpers[node.name] = (names.index("action"), self._replacements(node))
                elif "action" in [a.arg for a in node.args.kwonlyargs]:
                    self.helpers[node.name] = (None, self._replacements(node))
        self.codes: set[str] = set()
        self.templates: set[str] = set()

    @staticmethod
    def _replacements(fn: ast.FunctionDef) -> list[tuple[str, str]]:
        out = []
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "action"
            ):
                out.append(tuple(a.value for a in node.args))
        return out

    def values(self, expr) -> list[str]:
        """Codes (or templates with "{}") an expression can take; [] for a parameter."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value]
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body) + self.values(expr.orelse)
        if isinstance(expr, ast.Name):
            return [self.constants[expr.id]] if expr.id in self.constants else []
        if isinstance(expr, ast.JoinedStr):
            texts = [""]
            for part in expr.values:
                if isinstance(part, ast.Constant):
                    options = [part.value]
                else:
                    options = self.values(part.value) or ["{}"]
                texts = [t + o for t in texts for o in options]
            return texts
        return []

    def collect(self) -> None:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            found = [k.value for k in node.keywords if k.arg == "action"]
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            replacements: list[tuple[str, str]] = []
            if name in self.helpers:
                index, replacements = self.helpers[name]
                if index is not None and len(node.args) > index:
                    found.append(node.args[index])
            for expr in found:
                for value in self.values(expr):
                    variants = [value] + [value.replace(a, b) for a, b in replacements]
                    for v in variants:
                        (self.templates if "{}" in v else self.codes).add(v)


def written_codes() -> tuple[set[str], set[str]]:
    codes: set[str] = set()
    templates: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        collector = _Collector(ast.parse(path.read_text(encoding="utf-8")))
        collector.collect()
        codes |= collector.codes
        templates |= collector.templates
    # argparse's action="store_true" is no audit code
    codes = {c for c in codes if "." in c}
    return codes, templates


def test_the_source_scan_finds_the_codes_it_should():
    codes, templates = written_codes()
    # keyword, conditional, positional (bulk writers), module constant, .replace of the parameter
    for code in [
        "tpp.adjustment.record",
        "activities.unlock.reject",
        "auth.password.reset",
        "activities.entry.expire",
        "demo.generate",
        "org.employee.update",
        "attendance.correction.approve",
    ]:
        assert code in codes
    assert "attendance.{}.create" in templates and "activities.entry.{}" in templates


def test_every_action_code_written_in_the_code_base_has_a_label():
    codes, templates = written_codes()
    for template in templates:
        app = template.split(".", 1)[0]
        if template.startswith(f"{app}.{{}}."):  # the Django admin's AuditedAdmin of that app
            values = _admin_models(app)
            assert values, template
        else:
            assert template in TEMPLATE_VALUES, f"f-string action {template!r}: list its values"
            values = TEMPLATE_VALUES[template]
        codes |= {template.replace("{}", v) for v in values}
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert not missing, f"action codes without a label in core/audit_labels.py: {missing}"
    assert len(codes) > 80


def test_labels_and_fallbacks():
    assert action_label("auth.login") == "Masuk"
    assert action_label("auth.password.reset") == "Kata sandi diatur ulang"
    assert action_label("tpp.adjustment.record") == "Koreksi TPP dicatat"
    # an admin edit of a model nobody listed yet: its verbose name
    assert action_label("workcal.holiday.delete") == "Hari libur dihapus"
    assert action_label("attendance.punchimport.update") == "Impor absensi diubah"
    assert action_label("something.new") is None
    # Django's default text of rows written before the model had a __str__
    assert object_label("tpp.Adjustment", "6", "Adjustment object (6)") == "koreksi TPP #6"
    assert object_label("attendance.PunchReview", "3", "") == "pemeriksaan absen ponsel #3"
    assert object_label("org.Employee", "1", "Ani (1990)") == "Ani (1990)"
    assert object_label("activities.ActivityEntry", "9", "2026-10-08 12 5") == (
        "aktivitas harian #9, 8 Oktober 2026"
    )
    assert object_label("", "", "") == ""


def test_every_model_has_its_own_str():
    without = [
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("ekinerja.") and m.__str__ is models.Model.__str__
    ]
    assert not without, f"models without __str__ (the audit log shows 'X object (n)'): {without}"


@pytest.mark.django_db
def test_tpp_records_read_in_indonesian_without_a_query(django_assert_num_queries):
    inst = InstansiFactory()
    ani = employee_with_login(inst, None, name="Ani")
    adj = Adjustment(
        instansi=inst,
        employee=ani,
        source_period="2026-10",
        target_period="2026-12",
        amount=Decimal("-150000"),
    )
    assert str(adj) == "Koreksi TPP Ani Oktober 2026, dibayar Desember 2026: -Rp150.000"
    with django_assert_num_queries(0):
        lazy = Withholding(instansi=inst, employee_id=ani.pk, period="2026-11")
        assert str(lazy) == f"Penahanan TPP pegawai #{ani.pk} November 2026"
        assert str(Run(instansi=inst, period="2026-12")) == "TPP Desember 2026"


@pytest.fixture
def officer():
    inst = InstansiFactory(timezone="Asia/Makassar")
    person = employee_with_login(inst, None, name="Rina")
    grant(person.user, Role.BKPSDM)
    return person.user


@pytest.mark.django_db
def test_audit_log_page_shows_labels_codes_objects_and_indonesian_local_times(client, officer):
    at = dt.datetime(2026, 12, 3, 14, 18, tzinfo=dt.UTC)  # 22.18 WITA
    common = {"instansi": officer.instansi, "actor": officer, "actor_label": "rina", "at": at}
    AuditEvent.objects.create(
        action="tpp.adjustment.record",
        object_type="tpp.Adjustment",
        object_id="6",
        object_repr="Adjustment object (6)",
        **common,
    )
    AuditEvent.objects.create(action="auth.password.reset", **common)
    AuditEvent.objects.create(action="kode.baru", **common)
    client.force_login(officer)
    page = client.get(reverse("audit-log")).content.decode()
    assert "Koreksi TPP dicatat" in page and "tpp.adjustment.record" in page
    assert "Kata sandi diatur ulang" in page
    assert "<code>kode.baru</code>" in page  # unmapped: the code itself
    assert "koreksi TPP #6" in page and "Adjustment object" not in page
    assert "3 Desember 2026 22.18" in page and "03-12-2026" not in page


@pytest.mark.django_db
def test_import_pages_write_indonesian_local_times(client, officer):
    batch = ImportBatch.objects.create(
        instansi=officer.instansi,
        uploaded_by=officer,
        original_name="pegawai.csv",
        file_kind="csv",
        size=10,
        sha256="0" * 64,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        uploaded_at=dt.datetime(2026, 12, 3, 14, 18, tzinfo=dt.UTC)
    )
    client.force_login(officer)
    upload = client.get(reverse("employee-import")).content.decode()
    assert "3 Desember 2026 22.18" in upload and "03-12-2026" not in upload
    batch.refresh_from_db()
    assert audit_labels.moment_label(batch.uploaded_at) in str(batch)
    preview = client.get(reverse("employee-import-preview", args=[batch.token]))
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Diunggah 3 Desember 2026 22.18" in text and "03-12-2026" not in text


@pytest.mark.django_db
def test_audit_log_names_people_with_their_nip_under_and_keeps_codes_out_of_sight(
    client, officer, django_assert_max_num_queries
):
    """A login shows "Rina" with her NIP small under it, not an 18-digit number twice; the action
    reads "Masuk" with auth.login only as a tooltip; and more rows cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = officer.employee
    budi = employee_with_login(officer.instansi, None, name="Budi", front_title="Ir.")
    common = {"instansi": officer.instansi, "actor": officer, "actor_label": officer.username}
    login = {"action": "auth.login", "object_type": "core.User", "object_repr": officer.username}
    AuditEvent.objects.create(object_id=str(officer.pk), **login, **common)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as one_row:
        page = client.get(reverse("audit-log")).content.decode()
    actor = page.split('data-testid="audit-actor">')[1].split("</td>")[0]
    assert actor == f'Rina<div class="text-muted small">{nip_grouped(person.nip)}</div>'
    obj = page.split('data-testid="audit-object">')[1].split("</td>")[0]
    assert obj == f'Rina<div class="text-muted small">{nip_grouped(person.nip)}</div>'
    assert person.nip not in page  # only as on the ID card, under the name
    action = page.split('data-testid="audit-action">')[1].split("</td>")[0]
    assert '<span title="auth.login">Masuk</span>' in action
    assert action.count("auth.login") == 1 and "<code>" not in action

    # Another person's login, an employee record (its text "Name (NIP)") and an account without
    # an employee: the same number of queries as one row.
    AuditEvent.objects.create(
        object_id=str(budi.user.pk),
        **{**login, "object_repr": budi.user.username},
        **{**common, "actor": budi.user, "actor_label": budi.user.username},
    )
    AuditEvent.objects.create(
        action="org.employee.update",
        object_type="org.Employee",
        object_id=str(budi.pk),
        object_repr=str(budi),
        **common,
    )
    AuditEvent.objects.create(action="auth.logout", actor_label="sistem", instansi=officer.instansi)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        page = client.get(reverse("audit-log")).content.decode()
    assert page.count(f'Ir. Budi<div class="text-muted small">{nip_grouped(budi.nip)}</div>') == 3
    assert budi.nip not in page
    assert '<td class="d-none d-md-table-cell" data-testid="audit-actor">sistem</td>' in page


def nip_grouped(value: str) -> str:
    return f"{value[:8]} {value[8:14]} {value[14]} {value[15:]}"
