"""PII redaction for dataset exports: emails, phone numbers, card numbers, IBANs and an admin's own
patterns, replaced by a placeholder the same way in text, in words and in field values."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from review_app.exceptions import ConfigurationError


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    return 13 <= len(digits) <= 19 and _luhn(digits)


def _iban(match: str) -> bool:
    compact = re.sub(r"\s", "", match).upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _phone(match: str) -> bool:
    # At least nine digits: a date (eight) or a short reference number is not a phone number.
    return 9 <= len(re.sub(r"\D", "", match)) <= 15


@dataclass(frozen=True)
class Rule:
    """One kind of personal data: its placeholder, its pattern, and a check that rules out look-alikes."""

    label: str
    pattern: re.Pattern[str]
    check: Callable[[str], bool] = lambda _match: True
    # What a text must contain for the rule to be tried at all (a cheap test that skips most texts).
    gate: str | None = None


GATES: dict[str, Callable[[str], bool]] = {
    "at": lambda text: "@" in text,
    "nine_digits": re.compile(r"(?:\D*\d){9}").match,  # type: ignore[dict-item]
    "iban_start": re.compile(r"[A-Z]{2}\d{2}").search,  # type: ignore[dict-item]
}


# Most specific first: a card or an IBAN is never also reported as a phone number.
BUILTIN_RULES = (
    Rule("EMAIL", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), gate="at"),
    Rule(
        "IBAN",
        re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
        _iban,
        "iban_start",
    ),
    Rule("CARD", re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)"), _card, "nine_digits"),
    Rule(
        "PHONE",
        re.compile(
            r"(?<![\w.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,5}){1,4}(?![\w])"
        ),
        _phone,
        "nine_digits",
    ),
)


def parse_patterns(raw: str) -> list[str]:
    """Extra patterns from DOCLOOP_REDACT_PATTERNS: a JSON list of regular expressions."""
    if not raw.strip():
        return []
    try:
        patterns = json.loads(raw)
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ValueError("not a list of strings")
        for pattern in patterns:
            re.compile(pattern)
    except (ValueError, re.error) as e:
        raise ConfigurationError(
            f"DOCLOOP_REDACT_PATTERNS must be a JSON list of regular expressions: {e}"
        ) from e
    return patterns


class Redactor:
    """Finds personal data and replaces each occurrence by [LABEL]."""

    def __init__(self, extra_patterns: Sequence[str] = ()) -> None:
        self.rules = [
            *BUILTIN_RULES,
            *(Rule("REDACTED", re.compile(p)) for p in extra_patterns),
        ]
        # The same value comes three times per field (as printed, predicted, final): redact it once.
        self._redact_once = functools.lru_cache(maxsize=4096)(self._redact)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, label) of every finding, without overlaps (earlier rules win)."""
        found: list[tuple[int, int, str]] = []
        passed: dict[str, bool] = {}
        for rule in self.rules:
            if rule.gate is not None:
                if rule.gate not in passed:
                    passed[rule.gate] = bool(GATES[rule.gate](text))
                if not passed[rule.gate]:
                    continue
            for match in rule.pattern.finditer(text):
                start, end = match.span()
                overlaps = any(s < end and start < e for s, e, _ in found)
                if end > start and not overlaps and rule.check(match.group()):
                    found.append((start, end, rule.label))
        return sorted(found)

    def could_hold(self, text: str) -> bool:
        """False when no rule can match: no @, fewer than nine digits, no IBAN start, no admin patterns."""
        if len(self.rules) > len(BUILTIN_RULES):
            return True
        return any(GATES[gate](text) for gate in ("at", "nine_digits", "iban_start"))

    def text(self, text: str | None) -> str | None:
        """The text with every finding replaced by its placeholder."""
        return self._redact_once(text)

    def _redact(self, text: str | None) -> str | None:
        if not text or not self.could_hold(text):
            return text
        for start, end, label in reversed(self.spans(text)):
            text = text[:start] + f"[{label}]" + text[end:]
        return text

    def words(self, words: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """Words ([text, x0, y0, x1, y1, ...]) with every word that a finding touches replaced by its
        placeholder; findings may span words (a card number printed in four groups)."""
        joined, offsets, position = [], [], 0
        for word in words:
            offsets.append((position, position + len(str(word[0]))))
            joined.append(str(word[0]))
            position += len(str(word[0])) + 1
        spans = self.spans(" ".join(joined))
        result = [list(word) for word in words]
        for index, (start, end) in enumerate(offsets):
            for s, e, label in spans:
                if s < end and start < e:
                    result[index][0] = f"[{label}]"
                    break
        return result
