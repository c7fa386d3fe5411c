"""Roles are given and taken back by BKPSDM or Kominfo only, in the services as on the admin's
pages: before, any account calling org.services.role_grant could give the pimpinan, kominfo or
bpkad role, and role_revoke checked nobody at all, so Kominfo could take BKPSDM away from the
second officer a four-eyes lock needs."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.org import services
from ekinerja.org.models import RoleGrant
from tests.factories import InstansiFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
KEPT = "Peran hanya dapat diberikan atau dicabut oleh BKPSDM atau Diskominfo."


@pytest.fixture
def people():
    inst = InstansiFactory()
    plain = UserFactory(instansi=inst, username="biasa")
    target = UserFactory(instansi=inst, username="sasaran")
    bk = UserFactory(instansi=inst, username="bk1", is_staff=True)
    grant(bk, "bkpsdm")
    bk2 = UserFactory(instansi=inst, username="bk2")
    grant(bk2, "bkpsdm")
    tech = UserFactory(instansi=inst, username="tik", is_staff=True)
    grant(tech, "kominfo")
    return {"plain": plain, "target": target, "bk": bk, "bk2": bk2, "tech": tech}


@pytest.mark.parametrize("role", ["pimpinan", "kominfo", "bpkad"])
def test_an_account_without_bkpsdm_or_kominfo_gives_no_role(people, role):
    with pytest.raises(ValidationError) as err:
        services.role_grant(actor=people["plain"], user=people["target"], role=role)
    assert err.value.message_dict["role"] == [KEPT]
    assert not RoleGrant.objects.filter(user=people["target"]).exists()
    # Kominfo and BKPSDM give them.
    services.role_grant(actor=people["tech"], user=people["target"], role=role)
    assert RoleGrant.objects.filter(user=people["target"], role=role).exists()


def test_revoking_is_theirs_too_and_bkpsdm_roles_only_bkpsdm_takes_back(people):
    pimpinan = services.role_grant(actor=people["bk"], user=people["target"], role="pimpinan")
    second = RoleGrant.objects.get(user=people["bk2"], role="bkpsdm")
    with pytest.raises(PermissionDenied, match="BKPSDM atau Diskominfo"):
        services.role_revoke(actor=people["plain"], grant=pimpinan)
    with pytest.raises(PermissionDenied, match="hanya dapat dicabut oleh BKPSDM"):
        services.role_revoke(actor=people["tech"], grant=second)
    assert RoleGrant.objects.filter(pk__in=[pimpinan.pk, second.pk]).count() == 2
    assert not AuditEvent.objects.filter(action="org.role.revoke").exists()
    services.role_revoke(actor=people["tech"], grant=pimpinan)  # Kominfo: a non-BKPSDM role
    services.role_revoke(actor=people["bk"], grant=second)
    assert not RoleGrant.objects.filter(pk__in=[pimpinan.pk, second.pk]).exists()
    assert AuditEvent.objects.filter(action="org.role.revoke").count() == 2


def test_the_admin_has_no_delete_for_a_grant_kominfo_may_not_take_back(client, people):
    second = RoleGrant.objects.get(user=people["bk2"], role="bkpsdm")
    client.force_login(people["tech"])
    url = reverse("admin:org_rolegrant_delete", args=[second.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    # The bulk action refuses the whole selection.
    pimpinan = services.role_grant(actor=people["bk"], user=people["target"], role="pimpinan")
    resp = client.post(
        reverse("admin:org_rolegrant_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk, pimpinan.pk], "post": "yes"},
    )
    assert resp.status_code in (200, 302, 403)
    assert RoleGrant.objects.filter(pk__in=[second.pk, pimpinan.pk]).count() == 2
    # BKPSDM takes it back from the admin.
    client.force_login(people["bk"])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not RoleGrant.objects.filter(pk=second.pk).exists()
