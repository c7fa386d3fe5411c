"""R10: the "rincian" links of the evaluation history on "SKP saya" are buttons a thumb hits
(btn-sm, 44 px tall on a phone through ekinerja.css), not 20-px text links."""

import re

from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.performance import selectors, services
from ekinerja.performance.models import SkpEvaluation
from tests.performance.test_views import login


def test_the_evaluation_history_links_are_thumb_sized_buttons(client, org, cascaded, at):
    at("2026-11-03 09:00")
    services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org["staf1"],
        period=selectors.period_containing(
            selectors.performance_settings(org["inst"]), Period(2026, 10)
        ),
        results="below",
        behaviour="below",
    )
    login(client, org["staf1"])
    html = client.get(reverse("performance:my-skp")).content.decode()
    url = reverse("performance:evaluation-detail", args=[SkpEvaluation.objects.get().pk])
    link = re.search(rf'<a class="([^"]*)" href="{re.escape(url)}">rincian</a>', html)
    assert link is not None
    assert link.group(1).split() == ["btn", "btn-sm", "btn-outline-secondary"]
