"""Lateness bands with a gap (a scenario file's tables may have one; BKPSDM's editor refuses
them): minutes in the gap take the band below's percentage, as minutes beyond a closed last band
do, so more lateness never deducts less (tpp-rules.md, "Properties that always hold")."""

from decimal import Decimal

import pytest

from ekinerja.tpp.calculator import band_pct
from ekinerja.tpp.policy import Band

BANDS = (Band(1, 30, Decimal("0.5")), Band(61, 90, Decimal("1.25")), Band(91, 120, Decimal(2)))


@pytest.mark.parametrize(
    ("minutes", "pct"),
    [
        (0, 0),  # below the first band: nothing
        (1, Decimal("0.5")),
        (30, Decimal("0.5")),
        (31, Decimal("0.5")),  # in the gap 31-60: the band below
        (60, Decimal("0.5")),
        (61, Decimal("1.25")),
        (120, 2),
        (500, 2),  # beyond the closed last band: the last band
    ],
)
def test_minutes_in_a_gap_take_the_band_below(minutes, pct):
    assert band_pct(BANDS, minutes)[1] == Decimal(pct)


def test_band_percentages_never_fall_as_minutes_grow():
    pcts = [band_pct(BANDS, m)[1] for m in range(0, 200)]
    assert pcts == sorted(pcts)
