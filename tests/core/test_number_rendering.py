from django.template import Context, Template
from django.utils import translation


def test_ids_render_as_plain_digits_in_indonesian():
    with translation.override("id"):
        html = Template(
            '{% load humanize %}<div data-employee="{{ pk }}">{{ n|intcomma }}</div>'
        ).render(Context({"pk": 7753, "n": 1234567}))
    assert 'data-employee="7753"' in html
    assert "1.234.567" in html
