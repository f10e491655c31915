"""Correct OCR slips in text values with the words of confirmed values ("SON BHD" -> "SDN BHD").

The lexicon is learned: every word of the confirmed values of a field, with how often it was seen. A word
of a new value is replaced only when it is not in the lexicon, is long enough to judge, carries no digit,
and exactly one frequent lexicon word lies one edit away from it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

MIN_LENGTH = 3
MIN_COUNT = 3
_TOKEN = re.compile(r"^(?P<lead>\W*)(?P<core>.*?)(?P<trail>\W*)$")


def learn_lexicon(values: Iterable[str | None]) -> dict[str, int]:
    """Word counts of confirmed values (upper-cased, punctuation at the edges removed)."""
    counts: Counter[str] = Counter()
    for value in values:
        for token in (value or "").split():
            core = _TOKEN.match(token).group("core").upper()  # type: ignore[union-attr]
            if core:
                counts[core] += 1
    return {word: count for word, count in counts.items() if count >= 2}


def _by_length(lexicon: dict[str, int]) -> dict[int, list[tuple[str, int]]]:
    table: dict[int, list[tuple[str, int]]] = {}
    for word, count in lexicon.items():
        if count >= MIN_COUNT:
            table.setdefault(len(word), []).append((word, count))
    return table


class Corrector:
    """Applies a lexicon to values; built once per model."""

    def __init__(self, lexicon: dict[str, int]) -> None:
        self.lexicon = lexicon
        self._table = _by_length(lexicon)

    def correct(self, value: str) -> tuple[str, int]:
        """The value with slips corrected, and how many words were changed."""
        changed = 0
        out = []
        for token in value.split(" "):
            match = _TOKEN.match(token)
            core = match.group("core") if match else ""
            fixed = self._fix(core)
            if fixed != core and match:
                token = f"{match.group('lead')}{fixed}{match.group('trail')}"
                changed += 1
            out.append(token)
        return " ".join(out), changed

    def _fix(self, core: str) -> str:
        upper = core.upper()
        if (
            len(upper) < MIN_LENGTH
            or upper in self.lexicon
            or any(ch.isdigit() for ch in upper)
            or not upper.isupper()
            or upper != core
        ):
            return core
        near = [
            (word, count)
            for length in (len(upper) - 1, len(upper), len(upper) + 1)
            for word, count in self._table.get(length, ())
            if Levenshtein.distance(upper, word, score_cutoff=1) <= 1
        ]
        if len(near) == 1:
            return near[0][0]
        return core
