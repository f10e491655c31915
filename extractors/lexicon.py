"""The words of confirmed values of a field, and how often each was seen.

A value whose words are all known reads like the values reviewers confirmed before; one full of unknown
words is more likely misread. The confidence model uses that share. (Replacing unknown words by known
neighbours was measured and dropped: on receipts it turned right proper names into wrong common words.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_TOKEN = re.compile(r"^(?P<lead>\W*)(?P<core>.*?)(?P<trail>\W*)$")


def learn_lexicon(values: Iterable[tuple[str | None, str]], min_groups: int = 3) -> dict[str, int]:
    """Word counts of confirmed values (upper-cased, edge punctuation removed), keeping only words seen for
    at least `min_groups` vendors: the shared vocabulary of the field, not one vendor's name."""
    counts: Counter[str] = Counter()
    groups: dict[str, set[str]] = {}
    for value, group in values:
        for token in (value or "").split():
            core = _TOKEN.match(token).group("core").upper()  # type: ignore[union-attr]
            if core:
                counts[core] += 1
                groups.setdefault(core, set()).add(group)
    return {word: count for word, count in counts.items() if len(groups[word]) >= min_groups}
