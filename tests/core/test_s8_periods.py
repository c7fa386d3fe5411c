"""Period.parse takes the whole text in ASCII digits: `\\d` and `$` let "2026-10" followed by a
line break and other scripts' digits through, read as October 2026 (a month the user never wrote,
from a URL's ?periode= or a command's --period)."""

import pytest

from ekinerja.core.periods import Period


@pytest.mark.parametrize("text", ["2026-10\n", "２０２６-１０", "٢٠٢٦-١٠", "2026-10 ", " 2026-10"])
def test_only_the_whole_text_in_ascii_digits_is_a_period(text):
    with pytest.raises(ValueError, match="tidak valid; gunakan format TTTT-BB"):
        Period.parse(text)


def test_a_plain_period_still_parses():
    assert Period.parse("2026-10") == Period(2026, 10)
