"""The SKP rating predicate of PermenPANRB 6/2022 (Lampiran, "Predikat Kinerja Pegawai").

Pure: plain values in, a plain value out, no ORM and no clock. The superior rates work results (hasil
kerja) and work behaviour (perilaku kerja) each below, as or above expectation; the pair gives the
predicate by the matrix below (rows: results, columns: behaviour).

| results \\ behaviour | below          | as expected     | above           |
| ------------------- | -------------- | --------------- | --------------- |
| above               | Kurang (misconduct) | Baik       | Sangat Baik     |
| as expected         | Kurang (misconduct) | Baik       | Baik            |
| below               | Sangat Kurang  | Butuh Perbaikan | Butuh Perbaikan |
"""

from __future__ import annotations

from enum import StrEnum


class Rating(StrEnum):
    """A superior's rating of results or of behaviour against the expectation."""

    BELOW = "below"
    AS_EXPECTED = "as_expected"
    ABOVE = "above"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


class Predicate(StrEnum):
    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"

    @property
    def label(self) -> str:
        return PREDICATE_LABELS[self]


RATING_LABELS = {
    Rating.BELOW: "Di bawah ekspektasi",
    Rating.AS_EXPECTED: "Sesuai ekspektasi",
    Rating.ABOVE: "Di atas ekspektasi",
}

PREDICATE_LABELS = {
    Predicate.SANGAT_BAIK: "Sangat Baik",
    Predicate.BAIK: "Baik",
    Predicate.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predicate.KURANG: "Kurang/Misconduct",
    Predicate.SANGAT_KURANG: "Sangat Kurang",
}

# (results, behaviour) -> predicate; every one of the nine cells is listed.
MATRIX: dict[tuple[Rating, Rating], Predicate] = {
    (Rating.ABOVE, Rating.BELOW): Predicate.KURANG,
    (Rating.ABOVE, Rating.AS_EXPECTED): Predicate.BAIK,
    (Rating.ABOVE, Rating.ABOVE): Predicate.SANGAT_BAIK,
    (Rating.AS_EXPECTED, Rating.BELOW): Predicate.KURANG,
    (Rating.AS_EXPECTED, Rating.AS_EXPECTED): Predicate.BAIK,
    (Rating.AS_EXPECTED, Rating.ABOVE): Predicate.BAIK,
    (Rating.BELOW, Rating.BELOW): Predicate.SANGAT_KURANG,
    (Rating.BELOW, Rating.AS_EXPECTED): Predicate.BUTUH_PERBAIKAN,
    (Rating.BELOW, Rating.ABOVE): Predicate.BUTUH_PERBAIKAN,
}


def predicate(results: Rating | str, behaviour: Rating | str) -> Predicate:
    """The predicate for a results rating and a behaviour rating (PermenPANRB 6/2022 matrix).

    Raises ValueError for a value that is not one of below / as_expected / above."""
    return MATRIX[(Rating(results), Rating(behaviour))]
