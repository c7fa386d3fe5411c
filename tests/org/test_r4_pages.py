"""The org chart of a big unit loads only the holders it shows and draws its tree in one loop; a
superior's profile pages its direct subordinates."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db.models.signals import post_init
from django.urls import reverse

from ekinerja.org import selectors
from ekinerja.org.models import Assignment, Position
from tests.factories import (
    AssignmentFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
)

pytestmark = pytest.mark.django_db


class _Tree(HTMLParser):
    """The org chart's <ul>/<li> nesting: (depth of each node's name, balanced)."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.depth_of: dict[str, int] = {}
        self.balanced = True
        self._name = False

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "li"):
            self.stack.append(tag)
        if tag == "div" and ("class", "fw-semibold") in attrs:
            self._name = True

    def handle_endtag(self, tag):
        if tag in ("ul", "li"):
            if not self.stack or self.stack.pop() != tag:
                self.balanced = False

    def handle_data(self, data):
        if self._name and data.strip():
            self.depth_of[data.strip()] = self.stack.count("ul")
            self._name = False


@pytest.fixture
def dinas():
    """Kepala > Kabid > Kepala Sekolah (a school sub-unit) > Guru 0..3, each post held."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst, name="Dinas Pendidikan")
    school = UnitFactory(instansi=inst, parent=unit, name="SD Negeri 1")
    head_pos = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    kabid = PositionFactory(unit=unit, parent=head_pos, kelas=12, name="Kabid")
    kepsek = PositionFactory(unit=school, parent=kabid, kelas=9, name="Kepala Sekolah")
    teachers = [PositionFactory(unit=school, parent=kepsek, name=f"Guru {i}") for i in range(4)]
    head = employee_with_login(inst, head_pos, name="Bu Kepala")
    for pos in [kabid, kepsek, *teachers]:
        AssignmentFactory(position=pos, employee__instansi=inst)
    return {"inst": inst, "unit": unit, "school": school, "head": head}


def _loaded_assignments(client, url) -> tuple[str, int]:
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=Assignment)
    try:
        html = client.get(url).content.decode()
    finally:
        post_init.disconnect(count, sender=Assignment)
    return html, len(loaded)


def test_a_cut_chart_loads_only_the_holders_it_shows(client, dinas, monkeypatch):
    """Dinas Pendidikan's chart (1.2-3.6 s) loaded the 26,000 holders of every post of its
    schools even after cutting at each school's top post: now only the shown posts' holders."""
    client.force_login(dinas["head"].user)
    url = reverse("unit-chart", args=[dinas["unit"].pk])
    full, loaded_full = _loaded_assignments(client, url)
    assert "Guru 3" in full and loaded_full == 7
    monkeypatch.setattr(selectors, "CHART_FULL_LIMIT", 3)
    cut, loaded_cut = _loaded_assignments(client, url)
    assert "Guru 3" not in cut and "4 jabatan di bawahnya" in cut
    assert loaded_cut == 3  # Kepala, Kabid, Kepala Sekolah: not the four teachers


def test_the_chart_nests_each_post_under_its_superior_post(client, dinas):
    client.force_login(dinas["head"].user)
    html = client.get(reverse("unit-chart", args=[dinas["unit"].pk])).content.decode()
    tree = _Tree()
    tree.feed("<ul>" + html.split('data-testid="org-chart">')[1].split("</main>")[0])
    assert tree.balanced and tree.stack == []
    depth = tree.depth_of
    assert depth["Kepala"] == 1 and depth["Kabid"] == 2 and depth["Kepala Sekolah"] == 3
    assert {depth[f"Guru {i}"] for i in range(4)} == {4}


def test_chart_rows_close_every_level_once():
    leaf = {"children": []}
    chart = [{"children": [{"children": [leaf]}, {"children": []}]}, {"children": []}]
    rows = selectors.chart_rows(chart)
    assert [r["ends"] for r in rows] == [0, 0, 1, 1, 0]


def test_a_profile_pages_hundreds_of_direct_subordinates(client):
    """A kepala bidang with 657 direct subordinates: their profile was one table of all of them;
    now 50 a page, the count of all in the badge, and the pager to the rest."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    head_pos = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=12)
    staff_pos = PositionFactory(unit=unit, parent=head_pos)
    head = employee_with_login(inst, head_pos, name="Bu Kabid")
    for i in range(57):
        AssignmentFactory(
            position=staff_pos, employee__instansi=inst, employee__name=f"Staf {i:02d}"
        )
    client.force_login(head.user)
    url = reverse("employee-profile", args=[head.pk])
    first = client.get(url)
    html = first.content.decode()
    assert 'data-testid="subordinate-count">57<' in html
    assert len(first.context["subordinates"]) == 50
    assert "Staf 00" in html and "Staf 49" in html and "Staf 50" not in html
    assert 'data-testid="pager"' in html and "1–50 dari 57 pegawai" in html
    second = client.get(url, {"hal": 2})
    assert [s.name for s in second.context["subordinates"]] == [f"Staf {i}" for i in range(50, 57)]
    assert all(s.current_assignments for s in second.context["subordinates"])
