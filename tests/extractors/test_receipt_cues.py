"""The cues that find receipt fields: names not cut mid-way, addresses without what shares their lines,
totals from arithmetic the page prints, and memory that corrects misreadings but not other values."""

from __future__ import annotations

import random

from extractors.candidates.address import address_candidates
from extractors.candidates.labels import find_labels
from extractors.candidates.typed import typed_candidates
from extractors.candidates.vendor import vendor_candidates
from extractors.extract import lend_page_evidence
from extractors.memory import (
    MIN_SIMILARITY,
    NAME_MATCH,
    Memory,
    MemoryEntry,
    Neighbour,
    _match,
    header_grams,
    remembered_candidates,
    retrieve,
    squash,
)
from extractors.reading.ocr import _kept_words
from extractors.schema import load_schemas
from extractors.types import Candidate, Line, Page, Word
from extractors.view import DocumentView

RECEIPT = load_schemas()["receipt"]
FIELDS = {spec.name: spec for spec in RECEIPT.fields}


def _view(*rows: str | tuple[str, ...], source: str = "supplied") -> DocumentView:
    """A page of lines; a tuple is one line of segments standing far apart (columns)."""
    words = []
    for i, row in enumerate(rows):
        x = 10.0
        for segment in (row,) if isinstance(row, str) else row:
            words.append(Word(segment, (x, 30.0 * i, x + 9 * len(segment), 30.0 * i + 20)))
            x += 9 * len(segment) + 200
    return DocumentView((Page(1, 1200.0, 30.0 * len(rows) + 40, tuple(words), source),))


def test_a_name_broken_over_lines_is_never_offered_cut_short():  # type: ignore[no-untyped-def]
    view = _view(
        "AIK HUAT HARDWARE", "ENTERPRISE (SETIA", "ALAM) SDN BHD", "822737-X", "NO. 17-G, JALAN INDAH"
    )
    values = {c.normalized for c in vendor_candidates(view, FIELDS["company"])}
    assert "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD" in values
    assert "AIK HUAT HARDWARE" not in values
    assert "AIK HUAT HARDWARE ENTERPRISE (SETIA" not in values


def test_registration_numbers_and_till_codes_come_off_names_but_name_words_stay():  # type: ignore[no-untyped-def]
    cases = {
        "DION REALTIES SDN BHD (CO. NO:20154-T)": "DION REALTIES SDN BHD",
        "KING'S CONFECTIONERY S/B 273500-U (KSB)": "KING'S CONFECTIONERY S/B",
        "#000002 BAIFU (M) SDN BHD": "BAIFU (M) SDN BHD",
        "SAM SAM TRADING CO": "SAM SAM TRADING CO",
        "99 SPEED MART S/B": "99 SPEED MART S/B",
    }
    for printed, name in cases.items():
        values = {c.normalized for c in vendor_candidates(_view(printed, "TAX INVOICE"), FIELDS["company"])}
        assert name in values, (printed, values)


def _addresses(*rows: str | tuple[str, ...]) -> set[str]:
    return {c.normalized for c in address_candidates(_view(*rows), FIELDS["address"])}


def test_address_leaves_out_phone_columns_contact_tails_and_its_label():  # type: ignore[no-untyped-def]
    values = _addresses(
        "SANYU STATIONERY SHOP",
        "HQ ADD: NO. 31G, JALAN SETIA INDAH",
        ("TEL: 012 - 6651783", "40170 SETIA ALAM,"),
        "SELANGOR, TEL NO.: 07-387 3322",
        "MOBILE /WHATSAPPS : +6012-918 7937",
    )
    assert "NO. 31G, JALAN SETIA INDAH 40170 SETIA ALAM, SELANGOR," in values
    assert not any("TEL" in v or "ADD:" in v for v in values)
    # A line that opens with a contact word stays whole: it is no address, and its cues say so.
    assert all(v.endswith("MOBILE /WHATSAPPS : +6012-918 7937") for v in values if "MOBILE" in v)


def test_an_address_gets_back_the_letters_ocr_read_as_signs():  # type: ignore[no-untyped-def]
    values = _addresses(
        "AEON CO. (M) BHD",
        "$117, SECOND FLOOR, JALAN $S21/39,",
        "§6100 CHERAS, KUALA LUMPUR",
        "TEL: 03-5555 1234",
    )
    assert "S117, SECOND FLOOR, JALAN SS21/39, 56100 CHERAS, KUALA LUMPUR" in values
    assert not any("$" in v or "§" in v for v in values)


def test_total_features_follow_paid_and_change_and_rounding():  # type: ignore[no-untyped-def]
    view = _view(
        "TOTAL RM 30.91",
        "ROUNDING ADJUSTMENT RM 0.01",
        "TOTAL ROUNDED RM 30.90",
        "RM 51.00",
        "CHANGE",
        "RM 20.10",
    )
    by_value = {c.normalized: c.features for c in typed_candidates(view, FIELDS["total"])}
    assert by_value["30.91"]["before_rounding"] == 1.0
    assert by_value["30.90"]["before_rounding"] == 0.0
    assert by_value["30.90"]["paid_change_sequence"] == 1.0  # 51.00 - 20.10, whatever the labels say
    assert by_value["30.91"]["paid_change_sequence"] == 0.0
    assert by_value["30.90"]["last_labelled"] == 1.0


def test_a_total_that_subtotal_plus_tax_confirms_is_marked_however_garbled_its_label():  # type: ignore[no-untyped-def]
    view = _view(
        "SUB-TOTAL (EX) : 26.00",
        "TOTAL TAX : 1.56",
        "TOTAL = Ja > 27.55",  # 27.56, rounded to 5 sen
        "CASH 50.00",
        "TOTAL : 26.00 1.56",  # the tax summary's columns
    )
    by_value = {c.normalized: c.features for c in typed_candidates(view, FIELDS["total"])}
    assert by_value["27.55"]["subtotal_plus_tax"] == 1.0
    assert by_value["26.00"]["subtotal_plus_tax"] == 0.0
    assert by_value["50.00"]["subtotal_plus_tax"] == 0.0


def _proposed(source: str, printed: str, remembered: str, similarity: float = 0.25) -> list[Candidate]:
    words = (Word(printed, (10.0, 10.0, 400.0, 30.0)), Word("TOTAL 9.00", (10.0, 60.0, 200.0, 80.0)))
    view = DocumentView((Page(1, 600.0, 200.0, words, source),))
    entry = MemoryEntry("1", "receipt", "V", frozenset(), {"company": remembered})
    return remembered_candidates(view, "company", [Neighbour(entry, similarity)])


def _proposals(source: str, printed: str, remembered: str) -> set[str]:
    return {c.normalized for c in _proposed(source, printed, remembered)}


def test_memory_proposes_the_remembered_spelling_of_what_the_page_comes_close_to():  # type: ignore[no-untyped-def]
    assert _proposals("ocr", "POPULAR BOOL CO. (M) SDN BHD", "POPULAR BOOK CO. (M) SDN BHD") == {
        "POPULAR BOOK CO. (M) SDN BHD"
    }
    # A line that carries more than the value (a registration number after the name) still shows it.
    assert _proposals("ocr", "MIZU MENTAL SDN. BHD. (1248446-V)", "MIZU MENTAI SDN. BHD.") == {
        "MIZU MENTAI SDN. BHD."
    }
    assert _proposals("ocr", "> KEDAI PAPAN YEW CHUAN", "KEDAI PAPAN YEW CHUAN") == {"KEDAI PAPAN YEW CHUAN"}
    assert _proposals("ocr", "GUARDIAN HEALTH AND BEAUTY SDN BHD", "MIZU MENTAI SDN. BHD.") == set()
    # A name the page shows closely is read there, not proposed on the header's likeness alone.
    read = _proposed("ocr", "POPULAR BOOL CO. (M) SDN BHD", "POPULAR BOOK CO. (M) SDN BHD")
    assert read[0].features["mem_unread"] == 0
    # The proposal carries whether the page showed it verbatim: a near match may be a misreading, or a
    # value that differs on this document, and the ranker weighs the two apart.
    words = (Word("NORTHWIND TRADING LTD", (10.0, 10.0, 400.0, 30.0)),)
    view = DocumentView((Page(1, 600.0, 100.0, words, "text_layer"),))
    exact = MemoryEntry("1", "receipt", "V", frozenset(), {"company": "NORTHWIND TRADING LTD"})
    near = MemoryEntry("2", "receipt", "V", frozenset(), {"company": "NORTHWIND TRADING LIMITED"})
    found = {
        c.normalized: c.features["mem_exact"]
        for c in remembered_candidates(view, "company", [Neighbour(exact, 0.9), Neighbour(near, 0.8)])
    }
    assert found == {"NORTHWIND TRADING LTD": 1.0, "NORTHWIND TRADING LIMITED": 0.0}


def test_memory_proposes_a_name_the_page_does_not_show_only_for_a_header_much_alike():  # type: ignore[no-untyped-def]
    # A logo OCR cannot read: the header's likeness to a remembered receipt is the only evidence.
    unread = _proposed("ocr", "Seen nnneee ee", "TEO HENG STATIONERY & BOOKS", similarity=0.6)
    assert [(c.normalized, c.features["mem_unread"]) for c in unread] == [
        ("TEO HENG STATIONERY & BOOKS", 1.0)
    ]
    assert unread[0].cues == ("memory", "unread"), "the reviewer is told the page did not show it"
    assert _proposed("ocr", "Seen nnneee ee", "TEO HENG STATIONERY & BOOKS", similarity=0.25) == []


def test_ocr_drops_table_rules_read_as_words():  # type: ignore[no-untyped-def]
    data = {
        "text": ["|", "No", "8,", "‘Tampoi", "—", "Jalan|"],
        "conf": [90, 95, 95, 80, 70, 90],
        "left": [0, 10, 40, 70, 120, 140],
        "top": [0] * 6,
        "width": [5, 20, 20, 40, 10, 40],
        "height": [20] * 6,
    }
    assert [text for text, _, _ in _kept_words(data)] == ["No", "8,", "Tampoi", "Jalan"]


def _ocr_line(*words: tuple[str, float]) -> Line:
    """One line of OCR words with the reader's confidences."""
    return Line(
        1,
        tuple(Word(text, (60.0 * i, 0, 60.0 * i + 50, 20), conf) for i, (text, conf) in enumerate(words)),
        0,
    )


def test_a_label_misread_by_one_letter_counts_only_where_the_reader_doubted_it():  # type: ignore[no-untyped-def]
    labels = ("total", "grand total", "change")

    def found(*words: tuple[str, float]) -> list[tuple[str, str]]:
        line = _ocr_line(*words)
        return [(hit.label, line.text[hit.start : hit.end]) for hit in find_labels(line, labels)]

    assert found(("fotal", 0.3), ("26.82", 0.9)) == [("total", "fotal")]
    assert found(("Grand", 0.95), ("Tota:", 0.5), ("6.70", 0.9)) == [("grand total", "Grand Tota")]
    assert found(("T", 0.6), ("otal", 0.5), ("5.00", 0.9)) == [("total", "T otal")]  # split in two
    assert found(("SubT", 0.6), ("otal:", 0.5), ("227.05", 0.9)) == []  # a longer word, split
    assert found(("Service", 0.96), ("Charge", 0.95), ("3.00", 0.9)) == []  # read surely: another word
    assert found(("Charge", 0.95), ("3.00", 0.9)) == []
    # Supplied and text-layer words are sure (confidence 1): only exact labels count there.
    assert found(("fotal", 1.0), ("26.82", 1.0)) == []


def test_specks_and_stray_letters_at_the_ends_of_a_name_come_off():  # type: ignore[no-untyped-def]
    view = _view(
        "> KEDAI PAPAN YEW CHUAN",
        "f K STATIONERY & OFFICE SUPPLIES .",
        "Golden Scoop Sdn Bhd »",
        "ae RESTORAN WAN SHENG",
    )
    values = {c.normalized for c in vendor_candidates(view, FIELDS["company"])}
    assert {"KEDAI PAPAN YEW CHUAN", "K STATIONERY & OFFICE SUPPLIES", "Golden Scoop Sdn Bhd"} <= values
    assert "RESTORAN WAN SHENG" in values and "ae RESTORAN WAN SHENG" not in values
    assert not values & {
        "> KEDAI PAPAN YEW CHUAN",
        "f K STATIONERY & OFFICE SUPPLIES",
        "Golden Scoop Sdn Bhd »",
    }


def test_ocr_specks_at_the_ends_of_address_lines_come_off_printed_marks_stay():  # type: ignore[no-untyped-def]
    def lines(confidence: float) -> DocumentView:
        rows = [
            ["ACME TRADING SDN BHD"],
            ["!", "LOT", "PTD", "101051,", "JALAN", "PERMAS"],
            ["81750", "MASAI,", "JOHOR", "."],
        ]
        words = [
            Word(
                text, (10.0 + 80 * k, 30.0 * i, 80.0 + 80 * k, 30.0 * i + 20), 0.99 if i == 0 else confidence
            )
            for i, row in enumerate(rows)
            for k, text in enumerate(row)
        ]
        return DocumentView((Page(1, 1200.0, 200.0, tuple(words), "ocr"),))

    read = {c.normalized for c in address_candidates(lines(0.8), FIELDS["address"])}
    assert "LOT PTD 101051, JALAN PERMAS 81750 MASAI, JOHOR" in read
    assert not any(v.startswith("!") or v.endswith(" .") for v in read)
    printed = {c.normalized for c in address_candidates(lines(1.0), FIELDS["address"])}
    assert "! LOT PTD 101051, JALAN PERMAS 81750 MASAI, JOHOR ." in printed


def test_a_remembered_address_read_on_the_page_carries_the_page_evidence_of_its_reading():  # type: ignore[no-untyped-def]
    view = _view(
        "UNIHAKKA INTERNATIONAL SDN BHD",
        "42, Jalan Tampol 7/4, 81200 Johor Bahru",
        "TOTAL 8.20",
        source="ocr",
    )
    found = address_candidates(view, FIELDS["address"])
    reading = next(c for c in found if c.normalized.startswith("42, Jalan Tampol"))
    remembered = "12, JALAN TAMPOI 7/4, 81200 JOHOR BAHRU"
    entry = MemoryEntry("1", "receipt", "V", frozenset(), {"address": remembered})
    proposed = remembered_candidates(view, "address", [Neighbour(entry, 0.5)])
    lend_page_evidence(view, proposed, found)
    (candidate,) = proposed
    assert candidate.normalized == remembered
    # The ranker then weighs the two by what memory adds, not by evidence the proposal lacked.
    assert {k: v for k, v in candidate.features.items() if not k.startswith("mem_")} == reading.features
    assert candidate.features["mem_candidate"] == 1.0
    # A value the page does not show (proposed on the header's likeness alone) borrows nothing.
    unread = MemoryEntry("2", "receipt", "V", frozenset(), {"address": "LOT 9, JALAN KLANG LAMA, 58000 KL"})
    (guess,) = remembered_candidates(view, "address", [Neighbour(unread, 0.6)])
    lend_page_evidence(view, [guess], found)
    assert all(k.startswith("mem_") for k in guess.features)
    # Supplied words (or a text layer) are exact: a near value there is another value, not a misreading.
    exact_view = _view("UNIHAKKA INTERNATIONAL SDN BHD", "42, Jalan Tampol 7/4, 81200 Johor Bahru")
    (elsewhere,) = remembered_candidates(exact_view, "address", [Neighbour(entry, 0.5)])
    lend_page_evidence(exact_view, [elsewhere], address_candidates(exact_view, FIELDS["address"]))
    assert all(k.startswith("mem_") for k in elsewhere.features)


def _remembered(memory: Memory, key: str, *header: str) -> None:
    view = _view(*header)
    memory.add(MemoryEntry(key, "receipt", squash(header[0]), header_grams(view), {"company": header[0]}))


def test_an_ocr_scan_whose_header_finds_nothing_finds_its_vendor_by_the_name_it_shows():  # type: ignore[no-untyped-def]
    memory = Memory()
    _remembered(memory, "1", "KING'S CONFECTIONERY S/B", "LOT NO. G23, GIANT KELANA JAYA", "TEL 03-7803 1234")
    _remembered(memory, "2", "YONG TAT HARDWARE TRADING", "NO 4, JALAN PERMAS 10/7", "TEL 07-388 2218")
    # Another branch of the first vendor, its name misread by two characters: the header shares too little.
    scan = (
        "KING?S CONFECTI0NERY $/B",
        "NO. 20-A1, JALAN SS6/3, KELANA JAYA",
        "47301 PETALING JAYA SELANGOR D.E.",
        "GST REG NO: 001234567890",
        "TAX INVOICE 98812",
    )
    assert memory.nearest(header_grams(_view(*scan)), "receipt") == []
    found = retrieve(memory, _view(*scan, source="ocr"), "receipt")
    assert [(n.entry.key, n.similarity) for n in found] == [("1", MIN_SIMILARITY)]
    # Exact words and text layers read a header as printed: no header neighbour means a new vendor there.
    assert retrieve(memory, _view(*scan), "receipt") == []
    # A name that only shares words with a remembered one finds nothing.
    other = (
        "HON HWA HARDWARE TRADING",
        "NO 7, JALAN BESAR, 81100 JOHOR BAHRU",
        "GST ID 000555111222",
        "INVOICE 5521",
    )
    assert retrieve(memory, _view(*other, source="ocr"), "receipt") == []


def _misread(text: str, edits: int, rng: random.Random) -> str:
    for _ in range(edits):
        i = rng.randrange(len(text))
        kind = rng.choice("sid")
        letter = rng.choice("ABCDEFGH")
        text = (
            text[:i] + letter + text[i + 1 :]
            if kind == "s"
            else text[:i] + letter + text[i:]
            if kind == "i"
            else text[:i] + text[i + 1 :]
        )
    return text


def test_the_name_index_finds_exactly_the_vendors_that_comparing_every_name_finds():  # type: ignore[no-untyped-def]
    # Few letters, so that names share many trigrams and near misses at the 0.85 line are common.
    rng = random.Random(7)
    names = sorted({"".join(rng.choice("ABCDEFGH") for _ in range(rng.randint(8, 24))) for _ in range(300)})
    memory = Memory()
    for key, name in enumerate(names):
        memory.add(MemoryEntry(str(key), "receipt", name, frozenset({name[:3]}), {"company": name}))
    found_some = 0
    for _ in range(300):
        name = rng.choice(names)
        shown = (
            rng.choice(["", "XY", "QQQQ"])
            + _misread(name, rng.randint(0, 4), rng)
            + rng.choice(["", "Z", "ZZZZZ"])
        )
        windows = [shown, _misread(rng.choice(names), 6, rng)]
        every_name = [
            str(key)
            for key, other in enumerate(names)
            if any(_match(other, text, NAME_MATCH) for text in windows)
        ]
        assert [n.entry.key for n in memory.by_name(windows, frozenset(), "receipt")] == sorted(every_name)
        found_some += bool(every_name)
    assert 100 < found_some < 300  # both sides of the line were tried
    # A vendor forgotten (its only entry erased) is no longer found by its name.
    memory.remove("0")
    assert "0" not in [n.entry.key for n in memory.by_name([names[0]], frozenset(), "receipt")]


def test_header_retrieval_finds_what_comparing_every_remembered_header_finds():  # type: ignore[no-untyped-def]
    # Headers drawn from a small pool, so that overlaps near the 0.2 line and exact ties are common; some
    # entries are replaced and some erased, so that retrieval also meets the ids it has let go.
    rng = random.Random(11)
    pool = [f"g{i}" for i in range(300)]
    memory = Memory(max_per_vendor=1000)
    headers: dict[str, frozenset[str]] = {}
    for step in range(900):
        key = str(rng.randrange(400))
        if step % 5 == 4:
            memory.remove(key)
            headers.pop(key, None)
            continue
        grams = frozenset(rng.sample(pool[:30], 20) + rng.sample(pool, rng.randint(0, 100)))
        headers[key] = grams
        kind = "receipt" if int(key) % 7 else "invoice"
        memory.add(MemoryEntry(key, kind, f"V{int(key) % 40}", grams, {}))
    assert len(memory) == len(headers)
    found_some = 0
    for _ in range(200):
        query = frozenset(rng.sample(pool[:30], rng.randint(0, 30)) + rng.sample(pool, rng.randint(1, 120)))
        exclude = rng.choice(sorted(headers))
        every = sorted(
            (-len(query & grams) / len(query | grams), key)
            for key, grams in headers.items()
            if memory.entries[key].doc_type == "receipt"
            and key != exclude
            and len(query & grams) / len(query | grams) >= MIN_SIMILARITY
        )
        found = memory.nearest(query, "receipt", exclude=exclude)
        assert [(-n.similarity, n.entry.key) for n in found] == every[:5]
        found_some += bool(every)
        assert memory.nearest(query, "payslip") == []  # a type never remembered finds nothing, erased or not
    assert 50 < found_some < 200  # both sides of the line were tried
