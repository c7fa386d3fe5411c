"""R10: the PPh 21 choices of the policy editor are short enough for a 360 px phone's select (the
long one was cut off); the whole explanation, with the regulation, is the field's help text."""

from ekinerja.tpp import policy_form
from ekinerja.tpp.policy import TEMPLATES, policy_from_dict, policy_to_dict


def _pph21_mode(data):
    return next(
        i for i in policy_form.items(policy_form.sections(data)) if i.path == ("pph21", "mode")
    )


def test_the_pph21_choices_are_short_and_explained_in_the_help_text():
    data = policy_to_dict(policy_from_dict(TEMPLATES["national"][1]("2026-01-01")))
    item = _pph21_mode(data)
    assert dict(item.choices) == {
        "flat_by_golongan": "tarif tetap per golongan",
        "none": "tidak dipotong aplikasi",
    }
    # About 30 characters fit a phone's full-width select at 16 px.
    assert all(len(label) <= 26 for _k, label in item.choices)
    assert "PMK 262/2010" in item.help
    assert "Tarif tetap per golongan" in item.help and "ditanggung pemerintah" in item.help
