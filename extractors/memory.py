"""Retrieval memory: confirmed documents, found again by what their header looks like.

Each confirmed document leaves an entry: the character trigrams of its header (the top lines, where the
vendor prints its name and address), its confirmed values, and where each value stood (its place on the
page and the label beside it). A new document retrieves its nearest entries; they propose values (a
vendor's canonical name and address where the page shows something close to them, or, when the header is
much alike, even where the page does not show them legibly, as OCR of a logo often cannot) and lend every
candidate evidence: does it equal what this vendor had, does it stand beside the same label, in the same
place. A confirmation is usable by the very next document: adding an entry is all the learning there is.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from extractors.types import Box, Candidate, Line, Page, union_box
from extractors.view import DocumentView

HEADER_LINES = 12
# Two scans of one vendor's receipts share about a fifth of their header trigrams or more once OCR has
# garbled logos and printed different dates (sroie-dev: 0.2 finds 89% of same-vendor pairs, 0.3 82%).
MIN_SIMILARITY = 0.2
NEIGHBOURS = 5
MAX_PER_VENDOR = 25
TEXT_MATCH = 0.7  # how close the page must come to a remembered text value to be read there
UNREAD_SIMILARITY = 0.3  # how alike headers must be for a value the page does not show to be proposed
# A vendor found by its name alone: near enough that OCR slips pass (sroie-dev scans read their known vendor
# at 0.85 to 1.0) while other vendors' names sharing words ("... HARDWARE TRADING") stay at 0.82 or less.
NAME_MATCH = 0.85
MIN_NAME_LENGTH = 8  # shorter names are found by chance inside other text
_SQUASH = re.compile(r"[^0-9A-Z]")
_LABEL = re.compile(r"[^a-z%]+")


def squash(text: str) -> str:
    """Upper-case letters and digits only: what survives OCR noise and spacing differences."""
    return _SQUASH.sub("", text.upper())


def _top_lines(view: DocumentView, count: int) -> list[Line]:
    """The first `count` lines of the first page, where a vendor prints its name and address."""
    first = view.pages[0].number if view.pages else 1
    return view.lines_by_page.get(first, [])[:count]


def _runs(lines: list[Line], longest: int) -> list[tuple[list[Line], str]]:
    """Every run of one to `longest` adjacent lines, with its text squashed, in reading order."""
    return [
        (lines[i : i + n], squash(" ".join(line.text for line in lines[i : i + n])))
        for i in range(len(lines))
        for n in range(1, longest + 1)
        if i + n <= len(lines)
    ]


def header_grams(view: DocumentView) -> frozenset[str]:
    """Character trigrams of the first page's top lines."""
    return frozenset(_trigrams(squash(" ".join(line.text for line in _top_lines(view, HEADER_LINES)))))


def line_label(line: Line, start: int) -> str:
    """The words before a value on its line, lower-cased, letters only ("total payable")."""
    return _LABEL.sub(" ", line.text[:start].lower()).strip()


@dataclass(frozen=True)
class Anchor:
    """Where a confirmed value stood: page, box relative to the page (0..1), and the label beside it."""

    page: int
    box: Box
    label: str


@dataclass(frozen=True)
class MemoryEntry:
    """One confirmed document, as retrieval remembers it."""

    key: str
    doc_type: str
    vendor: str
    grams: frozenset[str]
    values: dict[str, str | None]
    anchors: dict[str, Anchor] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (the application stores entries in its database)."""
        return {
            "key": self.key,
            "doc_type": self.doc_type,
            "vendor": self.vendor,
            "grams": sorted(self.grams),
            "values": self.values,
            "anchors": {
                n: {"page": a.page, "box": list(a.box), "label": a.label} for n, a in self.anchors.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MemoryEntry:
        """Rebuild an entry written by `to_json`."""
        return cls(
            key=str(data["key"]),
            doc_type=data["doc_type"],
            vendor=data.get("vendor", ""),
            grams=frozenset(data["grams"]),
            values=dict(data["values"]),
            anchors={
                n: Anchor(a["page"], tuple(a["box"]), a["label"])  # type: ignore[arg-type]
                for n, a in data.get("anchors", {}).items()
            },
        )


@dataclass(frozen=True)
class Neighbour:
    """A remembered document and how alike its header is (Jaccard similarity of trigrams)."""

    entry: MemoryEntry
    similarity: float


def _doubled(array: np.ndarray, fill: int) -> np.ndarray:
    """`array` with as many places again after it, set to `fill` (arrays here grow by doubling)."""
    return np.concatenate([array, np.full(len(array), fill, dtype=array.dtype)])


class _Postings:
    """The ids of the entries holding one trigram: a numpy array grown by doubling, so that counting the
    overlaps of a header with every entry is one concatenation and one `bincount`."""

    __slots__ = ("ids", "size")

    def __init__(self) -> None:
        self.ids = np.empty(4, dtype=np.int32)
        self.size = 0

    def append(self, entry_id: int) -> None:
        if self.size == len(self.ids):
            self.ids = _doubled(self.ids, 0)
        self.ids[self.size] = entry_id
        self.size += 1

    def view(self) -> np.ndarray:
        return self.ids[: self.size]


class Memory:
    """An in-process index of entries by header trigram; overlaps with every entry sharing a trigram are
    counted at once (numpy), then only entries alike enough are looked at."""

    def __init__(self, max_per_vendor: int = MAX_PER_VENDOR) -> None:
        self.max_per_vendor = max_per_vendor
        self.entries: dict[str, MemoryEntry] = {}
        # Each entry added gets a new id; a removed one's id stays in the postings, marked dead, until
        # dead ids are the most (then the postings are rebuilt from the live entries).
        self._postings: dict[str, _Postings] = defaultdict(_Postings)
        self._id_of: dict[str, int] = {}
        self._key_of: list[str | None] = []
        self._sizes = np.zeros(16, dtype=np.int64)  # header trigrams per entry id
        self._kinds = np.full(16, -1, dtype=np.int32)  # document type per entry id (-1: removed)
        self._kind_codes: dict[str, int] = {}
        self._by_vendor: dict[tuple[str, str], list[str]] = defaultdict(list)
        # Trigrams of vendor names long enough to be searched for (`by_name`), to the vendors that have them;
        # and how many of them a text must hold to come within NAME_MATCH of each name.
        self._by_name_gram: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._grams_needed: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: MemoryEntry) -> None:
        """Remember a confirmed document (replacing an older entry of the same key); a vendor keeps its
        most recent entries only, so the index stays small and current."""
        self.remove(entry.key)
        self.entries[entry.key] = entry
        self._index(entry)
        if entry.vendor:
            keys = self._by_vendor[(entry.doc_type, entry.vendor)]
            if not keys and len(entry.vendor) >= MIN_NAME_LENGTH:
                vendor = (entry.doc_type, entry.vendor)
                for gram in _trigrams(entry.vendor):
                    self._by_name_gram[gram].add(vendor)
                self._grams_needed[vendor] = _enough_shared(entry.vendor)
            keys.append(entry.key)
            while len(keys) > self.max_per_vendor:
                self.remove(keys[0])

    def remove(self, key: str) -> None:
        """Forget an entry (an erased document, or one replaced)."""
        entry = self.entries.pop(key, None)
        if entry is None:
            return
        entry_id = self._id_of.pop(key)
        self._key_of[entry_id] = None
        self._kinds[entry_id] = -1
        if len(self._key_of) > 64 and len(self._id_of) < len(self._key_of) / 2:
            self._reindex()
        vendor = (entry.doc_type, entry.vendor)
        keys = self._by_vendor.get(vendor)
        if keys and key in keys:
            keys.remove(key)
            if not keys:
                del self._by_vendor[vendor]
                self._grams_needed.pop(vendor, None)
                for gram in _trigrams(entry.vendor):
                    self._by_name_gram[gram].discard(vendor)

    def _index(self, entry: MemoryEntry) -> None:
        entry_id = len(self._key_of)
        self._key_of.append(entry.key)
        self._id_of[entry.key] = entry_id
        if entry_id >= len(self._sizes):
            self._sizes, self._kinds = _doubled(self._sizes, 0), _doubled(self._kinds, -1)
        self._sizes[entry_id] = len(entry.grams)
        self._kinds[entry_id] = self._kind_codes.setdefault(entry.doc_type, len(self._kind_codes))
        for gram in entry.grams:
            self._postings[gram].append(entry_id)

    def _reindex(self) -> None:
        self._postings = defaultdict(_Postings)
        self._id_of, self._key_of = {}, []
        for entry in self.entries.values():
            self._index(entry)

    def nearest(
        self, grams: frozenset[str], doc_type: str, *, exclude: str | None = None, k: int = NEIGHBOURS
    ) -> list[Neighbour]:
        """The most similar remembered documents of a type, best first."""
        postings = [self._postings[gram].view() for gram in grams if gram in self._postings]
        if not postings:
            return []
        overlaps = np.bincount(np.concatenate(postings))
        ids = np.flatnonzero(overlaps)
        shared = overlaps[ids]
        # The same division as on Python ints (IEEE, correctly rounded), so ties and the 0.2 line fall alike.
        similarities = shared / (len(grams) + self._sizes[ids] - shared)
        # Live entries of the type, not the document itself.
        kept = (similarities >= MIN_SIMILARITY) & (self._kinds[ids] == self._kind_codes.get(doc_type, -2))
        if exclude in self._id_of:
            kept &= ids != self._id_of[exclude]
        ids, similarities = ids[kept], similarities[kept]
        if len(ids) > k > 0:
            # Headers every receipt shares (a tax line, "SDN BHD") can put thousands over 0.2: keep the k
            # best, and everything tied with the k-th, for the order below to settle.
            kth = np.partition(similarities, len(ids) - k)[len(ids) - k]
            ids, similarities = ids[similarities >= kth], similarities[similarities >= kth]
        found = [
            Neighbour(self.entries[self._key_of[entry_id]], similarity)  # type: ignore[index]
            for entry_id, similarity in zip(ids.tolist(), similarities.tolist(), strict=True)
        ]
        # Ties (receipts of one vendor often share a header exactly) go by key: the order of a set of
        # strings changes with Python's hash seed, and with it which neighbours made the cut.
        found.sort(key=lambda n: (-n.similarity, n.entry.key))
        return found[:k]

    def by_name(
        self, windows: list[str], grams: frozenset[str], doc_type: str, *, exclude: str | None = None
    ) -> list[Neighbour]:
        """For each remembered vendor whose name a squashed header window shows, its entry with the most
        alike header, at the lowest similarity retrieval accepts: the name is known, the rest of the header
        (another branch, a garbled photo) is not."""
        # Only a vendor that shares enough of its name's trigrams with a window can be within NAME_MATCH of
        # it (`_enough_shared`), and so with all the windows together: the index counts those shared, once
        # per trigram (a common one, "BHD", lists most vendors), and only vendors with enough are compared
        # letter by letter.
        shared: Counter[tuple[str, str]] = Counter()
        for gram in set().union(*map(_trigrams, windows)):
            shared.update(self._by_name_gram.get(gram, ()))
        found = []
        for (kind, vendor), count in shared.items():
            if kind != doc_type or count < self._grams_needed[(kind, vendor)]:
                continue
            if not any(_match(vendor, text, NAME_MATCH) for text in windows):
                continue
            keys = self._by_vendor[(kind, vendor)]
            entries = [self.entries[key] for key in keys if key != exclude]
            if entries:
                closest = max(entries, key=lambda e: (_jaccard(grams, e.grams), e.key))
                found.append(Neighbour(closest, MIN_SIMILARITY))
        found.sort(key=lambda n: n.entry.key)
        return found


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _enough_shared(name: str) -> int:
    """The fewest of a name's distinct trigrams that any text within NAME_MATCH of it (`_match`) holds.

    `_match` compares the name with texts at most len/NAME_MATCH long, so they are at most that many edits
    apart, rounded down; each edit touches at most three of the name's trigrams, and every trigram it does not
    touch stands in the text (or in the window the text was cut from)."""
    edits = math.floor((1 - NAME_MATCH) * len(name) / NAME_MATCH + 1e-9)
    return len(_trigrams(name)) - 3 * edits


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def header_windows(view: DocumentView) -> list[str]:
    """The first page's top lines, squashed, one and two at a time: where a vendor prints its name."""
    return [text for _, text in _runs(_top_lines(view, HEADER_LINES), 2)]


def retrieve(
    memory: Memory, view: DocumentView, doc_type: str, *, exclude: str | None = None
) -> list[Neighbour]:
    """The remembered documents nearest to a page: by header likeness, and on an OCR page whose header
    found none, by the vendor name it shows.

    OCR garbles logos and a branch prints its own address, so a known vendor's scan can share too little of
    its header with any earlier one; its name, read within a slip or two, still finds it. Text layers and
    supplied words read headers exactly, so there no header neighbour means a new vendor or another
    branch, and names labelled two ways ("T.A.S LEISURE" under the restaurant's name) would mislead.
    """
    grams = header_grams(view)
    found = memory.nearest(grams, doc_type, exclude=exclude)
    if found or not view.pages or view.pages[0].source != "ocr":
        return found
    return memory.by_name(header_windows(view), grams, doc_type, exclude=exclude)[:NEIGHBOURS]


def remembered_candidates(view: DocumentView, name: str, neighbours: list[Neighbour]) -> list[Candidate]:
    """Remembered text values (a vendor's name, its address) proposed where the page shows something close."""
    proposals: dict[str, float] = {}
    for n in neighbours:
        value = n.entry.values.get(name)
        if value:
            proposals[value] = max(proposals.get(value, 0.0), n.similarity)
    if not proposals:
        return []
    candidates = []
    # Runs of one to five adjacent lines (addresses run to five), squashed once for every proposal.
    windows = _runs(_top_lines(view, HEADER_LINES * 2), 5)
    for value, similarity in proposals.items():
        target = squash(value)
        if not target:
            continue
        best, span, verbatim = 0.0, None, False
        for window, text in windows:
            score = _match(target, text)
            if score > best:
                best, span, verbatim = score, window, text == target
        read = best >= TEXT_MATCH
        if span and (read or similarity >= UNREAD_SIMILARITY):
            votes = sum(1 for n in neighbours if n.entry.values.get(name) == value)
            # A reviewer should know when the value came from memory alone: its box is only the header
            # lines nearest to it, which may not show it.
            cues = ("memory",) if read else ("memory", "unread")
            candidates.append(
                Candidate(
                    field=name,
                    text=" ".join(line.text for line in span),
                    normalized=value,
                    page=span[0].page,
                    box=union_box(line.box for line in span),
                    cues=cues,
                    features={
                        "mem_candidate": 1.0,
                        "mem_text_match": best,
                        # The page shows exactly this value and no more; a near match (or one with more
                        # on its lines) is a misreading of it or a value that differs on this document
                        # (another branch, another date).
                        "mem_exact": 1.0 if verbatim else 0.0,
                        "mem_similarity": similarity,
                        "mem_votes": min(5, votes) / 5.0,
                        # Proposed on the header's likeness alone: the page does not show the value
                        # legibly (a logo OCR cannot read, a garbled name).
                        "mem_unread": 0.0 if read else 1.0,
                    },
                )
            )
    return candidates


def _match(target: str, text: str, cutoff: float = 0.0) -> float:
    """How closely a squashed window shows a squashed remembered value: as a whole, or as its start or end,
    since a line may carry more than the value ("MIZU MENTAL SDN. BHD. (1248446-V)"). Below `cutoff` it
    answers 0, sooner."""
    score = Levenshtein.normalized_similarity(target, text, score_cutoff=cutoff)
    if len(text) > len(target):
        n = len(target)
        score = max(
            score,
            Levenshtein.normalized_similarity(target, text[:n], score_cutoff=cutoff),
            Levenshtein.normalized_similarity(target, text[-n:], score_cutoff=cutoff),
        )
    return score


def add_memory_features(
    view: DocumentView, name: str, candidates: list[Candidate], neighbours: list[Neighbour]
) -> None:
    """Evidence from remembered documents on every candidate of a field (in place)."""
    if not neighbours:
        return
    remembered = {
        squash(v)
        for n in neighbours
        if isinstance(v := n.entry.values.get(name), str) and any(ch.isalpha() for ch in v)
    }
    for candidate in candidates:
        same_value = sum(n.similarity for n in neighbours if n.entry.values.get(name) == candidate.normalized)
        candidate.features["mem_value"] = same_value / sum(n.similarity for n in neighbours)
        if remembered and "mem_candidate" not in candidate.features and len(candidate.normalized) > 3:
            # How close the page's own reading comes to a remembered value: the same vendor's address
            # with this receipt's branch line is close to, not equal to, the last one confirmed.
            own = squash(candidate.normalized)
            candidate.features["mem_close"] = max(
                Levenshtein.normalized_similarity(own, value) for value in remembered
            )
        label, position = 0.0, 0.0
        page = view.page(candidate.page)
        centre = (
            (
                (candidate.box[0] + candidate.box[2]) / 2 / page.width,
                (candidate.box[1] + candidate.box[3]) / 2 / page.height,
            )
            if page.width and page.height
            else (0, 0)
        )
        own_label = _candidate_label(view, candidate)
        for n in neighbours:
            anchor = n.entry.anchors.get(name)
            if anchor is None:
                continue
            if own_label and anchor.label and own_label == anchor.label:
                label = max(label, n.similarity)
            anchor_centre = ((anchor.box[0] + anchor.box[2]) / 2, (anchor.box[1] + anchor.box[3]) / 2)
            distance = abs(centre[0] - anchor_centre[0]) + abs(centre[1] - anchor_centre[1])
            position = max(position, n.similarity * max(0.0, 1.0 - 4 * distance))
        candidate.features["mem_label"] = label
        candidate.features["mem_position"] = position


def _candidate_label(view: DocumentView, candidate: Candidate) -> str:
    for line in view.lines_by_page.get(candidate.page, []):
        box = line.box
        if box[1] <= (candidate.box[1] + candidate.box[3]) / 2 <= box[3]:
            text = line.text
            start = text.find(candidate.text) if candidate.text else -1
            return line_label(line, start if start >= 0 else 0) if start > 0 else ""
    return ""


def build_entry(
    key: str,
    pages: tuple[Page, ...],
    doc_type: str,
    vendor: str,
    values: dict[str, str | None],
    located: dict[str, Candidate],
) -> MemoryEntry:
    """An entry for a confirmed document; `located` holds, per field, the candidate carrying its value."""
    view = DocumentView(pages)
    anchors = {}
    for name, candidate in located.items():
        page = view.page(candidate.page)
        if not page.width or not page.height:
            continue
        box = (
            candidate.box[0] / page.width,
            candidate.box[1] / page.height,
            candidate.box[2] / page.width,
            candidate.box[3] / page.height,
        )
        anchors[name] = Anchor(candidate.page, box, _candidate_label(view, candidate))
    return MemoryEntry(
        key=key,
        doc_type=doc_type,
        vendor=vendor,
        grams=header_grams(view),
        values=dict(values),
        anchors=anchors,
    )
