"""A read-only view of a document's lines shared by all candidate finders."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from extractors.layout import build_lines, median_word_height
from extractors.normalize import find_dates
from extractors.types import Candidate, Line, Page


@dataclass
class DocumentView:
    """Pages, their lines, and facts every finder needs (typical text height, date order)."""

    pages: tuple[Page, ...]
    date_order_hint: str = "DMY"
    lines_by_page: dict[int, list[Line]] = field(init=False)
    # Values already chosen, by finder name, so later finders can look near them (the vendor's address).
    chosen: dict[str, Candidate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lines_by_page = {page.number: build_lines(page) for page in self.pages}

    @cached_property
    def lines(self) -> list[Line]:
        """All lines of all pages in reading order."""
        return [line for page in self.pages for line in self.lines_by_page[page.number]]

    @cached_property
    def text_height(self) -> float:
        return median_word_height(self.lines)

    @cached_property
    def other_readings(self) -> list[DocumentView]:
        """The document as each further OCR reading read it (`Page.alternates`), sharing this view's chosen
        values; a page that reading did not cover stands empty in it."""
        count = max((len(page.alternates) for page in self.pages), default=0)
        return [
            DocumentView(
                tuple(
                    replace(page, words=page.alternates[k] if k < len(page.alternates) else (), alternates=())
                    for page in self.pages
                ),
                self.date_order_hint,
                chosen=self.chosen,
            )
            for k in range(count)
        ]

    def page(self, number: int) -> Page:
        """The page with 1-based `number`."""
        return self.pages[number - 1]

    def line_above(self, line: Line, steps: int = 1) -> Line | None:
        """The line `steps` above on the same page, if any."""
        index = line.index - steps
        return self.lines_by_page[line.page][index] if index >= 0 else None

    def line_below(self, line: Line, steps: int = 1) -> Line | None:
        """The line `steps` below on the same page, if any."""
        lines = self.lines_by_page[line.page]
        index = line.index + steps
        return lines[index] if index < len(lines) else None

    def relative_y(self, line: Line) -> float:
        """Vertical position of a line on its page, 0 at the top and 1 at the bottom."""
        page = self.page(line.page)
        return line.box[1] / page.height if page.height else 0.0

    @cached_property
    def date_order(self) -> str:
        """DMY or MDY: the hint, unless an unambiguous date on the document says otherwise."""
        if self.date_order_hint in {"DMY", "MDY"}:
            return self.date_order_hint
        votes = {"DMY": 0, "MDY": 0}
        for line in self.lines:
            for printed, _parsed, _span, _ambiguous in find_dates(line.text, "DMY"):
                parts = [
                    p for p in printed.replace("-", "/").replace(".", "/").split("/") if p.strip().isdigit()
                ]
                if len(parts) == 3 and len(parts[0].strip()) <= 2:
                    first, second = int(parts[0]), int(parts[1])
                    if first > 12 >= second:
                        votes["DMY"] += 1
                    elif second > 12 >= first:
                        votes["MDY"] += 1
        if votes["MDY"] > votes["DMY"]:
            return "MDY"
        if votes["DMY"] > votes["MDY"]:
            return "DMY"
        text = " ".join(line.text for line in self.lines[:200])
        return "MDY" if "$" in text and "€" not in text and "£" not in text else "DMY"
