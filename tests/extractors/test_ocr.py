"""OCR on real tesseract: deskew, orientation, empty pages, mixed PDFs, box mapping."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from extractors.context import ReadContext
from extractors.exceptions import OcrFailed
from extractors.reading import read_document
from extractors.reading.document import NO_TEXT_FLAG
from extractors.reading.ocr import ocr_image
from extractors.reading.preprocess import PreparedImage, estimate_skew, rotate_page
from extractors.reading.second_look import loose_ink
from extractors.sniff import PDF, PNG
from extractors.types import Page
from extractors.view import DocumentView
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr
CTX = ReadContext()


def _receipt() -> Image.Image:
    return Image.open(SAMPLES / "receipt-03.jpg").convert("L")


def test_skew_is_measured_and_undone():  # type: ignore[no-untyped-def]
    upright = _receipt()
    base = estimate_skew(upright)
    tilted = upright.rotate(3.0, expand=True, fillcolor=255)
    assert estimate_skew(tilted) == pytest.approx(base - 3.0, abs=0.5)


def test_rotated_boxes_map_back_to_the_original():  # type: ignore[no-untyped-def]
    image = Image.new("L", (400, 600), 255)
    ImageDraw.Draw(image).rectangle((100, 150, 180, 170), fill=0)
    for angle in (3.0, -2.0):
        rotated = rotate_page(image, angle)
        ink = [
            (x, y)
            for y in range(rotated.height)
            for x in range(rotated.width)
            if rotated.getpixel((x, y)) < 128
        ]
        box = (min(x for x, _ in ink), min(y for _, y in ink), max(x for x, _ in ink), max(y for _, y in ink))
        mapped = PreparedImage(rotated, 1.0, angle, image.size, rotated.size).to_original(box)
        assert mapped == pytest.approx((100, 150, 180, 170), abs=6)


def test_upside_down_scan_is_read_upright_with_boxes_on_the_uploaded_page():  # type: ignore[no-untyped-def]
    upright = _receipt()
    words_upright = ocr_image(upright, CTX).words
    flipped = upright.rotate(180)
    reading = ocr_image(flipped, CTX)
    words_flipped = reading.words
    assert abs(abs(reading.rotation) - 180) < 5
    assert any("TOTAL" in w.text.upper() for w in words_flipped)
    total_up = next(w for w in words_upright if "TOTAL" in w.text.upper())
    total_flipped = next(w for w in words_flipped if "TOTAL" in w.text.upper())
    # The same word, seen on the flipped page, sits where the flip puts it.
    assert total_flipped.x0 == pytest.approx(upright.width - total_up.x1, abs=25)
    assert total_flipped.y0 == pytest.approx(upright.height - total_up.y1, abs=25)


def test_a_blank_page_is_flagged_not_silently_empty():  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    Image.new("L", (800, 1000), 255).save(buffer, "PNG")
    pages = read_document(buffer.getvalue(), PNG, CTX)
    assert pages[0].words == () and NO_TEXT_FLAG in pages[0].flags


def test_mixed_pdf_is_read_page_by_page():  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont("Helvetica", 12)
    pdf.drawString(72, 760, "Invoice No: INV-2024-0042   Date: 03/05/2024   Total: 120.00")
    pdf.showPage()
    pdf.drawImage(ImageReader(str(SAMPLES / "receipt-01.jpg")), 72, 72, width=300, height=600)
    pdf.showPage()
    pdf.save()
    pages = read_document(buffer.getvalue(), PDF, CTX)
    assert [p.source for p in pages] == ["text_layer", "ocr"]
    assert "INV-2024-0042" in pages[0].text
    assert "JALAN" in pages[1].text.upper()  # the scanned page was OCR'd


def test_the_configured_language_reads_the_page():  # type: ignore[no-untyped-def]
    words = ocr_image(_receipt(), replace(CTX, ocr_language="msa")).words
    assert any("JALAN" in w.text.upper() for w in words)


def test_missing_language_data_is_a_clear_error():  # type: ignore[no-untyped-def]
    with pytest.raises(OcrFailed, match="no language data for 'xyz'"):
        ocr_image(_receipt(), replace(CTX, ocr_language="xyz"))


def _invoice_with_a_large_heading() -> Image.Image:
    """A scanned invoice whose vendor stands in 22-point capitals above 8- to 10-point text."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(width / 2, height - 60, "HOFMANN ELEKTROTECHNIK AG")
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(width / 2, height - 75, "Bahnhofstrasse 12 - 8001 Zurich")
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(50, height - 120, "INVOICE")
    for k, (label, value) in enumerate(
        (("INVOICE NO.", "2024407"), ("DATE", "14.07.2024"), ("DUE", "28.07.2024"))
    ):
        pdf.setFont("Helvetica-Bold", 8)
        pdf.drawString(50 + 130 * k, height - 150, label)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(50 + 130 * k, height - 163, value)
    for i, cells in enumerate(
        (("Boiler service", "2", "500.00", "1,000.00"), ("Logo design", "3", "120.00", "360.00"))
    ):
        for x, cell in zip((50, 310, 390, 500), cells, strict=True):
            pdf.drawString(x, height - 290 - 18 * i, cell)
    for i, (label, value) in enumerate(
        (("Subtotal", "1,360.00"), ("MwSt (7.7%)", "104.72"), ("Total", "1,464.72"))
    ):
        pdf.drawString(width - 250, height - 360 - 16 * i, label)
        pdf.drawString(width - 110, height - 360 - 16 * i, value)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(50, 80, "Please make payment within the stated terms. Thank you for your business!")
    pdf.save()
    return pdfium.PdfDocument(buffer.getvalue())[0].render(scale=200 / 72).to_pil().convert("L")


def test_a_heading_printed_larger_than_the_text_is_read():  # type: ignore[no-untyped-def]
    # Tesseract's one-block mode, left to its defaults, leaves this page's vendor line out.
    words = {w.text for w in ocr_image(_invoice_with_a_large_heading(), CTX).words}
    assert {"HOFMANN", "ELEKTROTECHNIK", "Bahnhofstrasse", "2024407"} <= words, words


def _invoice_header_beside_a_large_title(dpi: int) -> Image.Image:
    """A low-resolution scan of an invoice header: a large title at the left, the vendor's name and its
    address lines right-aligned beside it."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    width, height = LETTER
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawString(50, height - 60, "INVOICE")
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawRightString(width - 50, height - 50, "Cascade Plumbing & Heating Co.")
    pdf.setFont("Helvetica", 9)
    for k, line in enumerate(("1809 Division St", "Spokane, WA 99202")):
        pdf.drawRightString(width - 50, height - 63 - 11 * k, line)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(width - 250, height - 150, "Invoice Number")
    pdf.drawRightString(width - 50, height - 150, "INV-2023-3658")
    pdf.save()
    return pdfium.PdfDocument(buffer.getvalue())[0].render(scale=dpi / 72).to_pil().convert("L")


def _line_texts(image: Image.Image, ctx: ReadContext) -> list[str]:
    page = Page(
        number=1,
        width=image.width,
        height=image.height,
        words=tuple(ocr_image(image, ctx).words),
        source="ocr",
    )
    return [line.text for line in DocumentView((page,)).lines_by_page[1]]


def test_sparse_segmentation_keeps_lines_of_neighbouring_columns_apart():  # type: ignore[no-untyped-def]
    image = _invoice_header_beside_a_large_title(dpi=100)
    # As one block, tesseract takes the address line into the vendor's line beside the tall title
    # ("INVOICE Cascade Plumbing & 1809 Heating Dision Co.").
    block = _line_texts(image, replace(CTX, page_segmentation="block"))
    assert "1809 Division St" not in block, block
    sparse = _line_texts(image, replace(CTX, page_segmentation="sparse"))
    assert "INVOICE Cascade Plumbing & Heating Co." in sparse, sparse
    assert "1809 Division St" in sparse, sparse


def _table_with_a_quantity_column() -> Image.Image:
    """A scanned invoice table whose quantity column holds one digit per row."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    height = A4[1]
    columns = (50, 300, 380, 480)
    pdf.setFont("Helvetica-Bold", 10)
    for x, heading in zip(columns, ("ITEM", "QTY", "RATE", "AMOUNT"), strict=True):
        pdf.drawString(x, height - 100, heading)
    pdf.setFont("Helvetica", 10)
    rows = (
        ("Delivery charge", "5", "278.15", "1,390.75"),
        ("Printer paper A4 (box)", "6", "13.19", "79.14"),
        ("Network cable 5m", "2", "233.79", "467.58"),
    )
    for i, cells in enumerate(rows):
        for x, cell in zip(columns, cells, strict=True):
            pdf.drawString(x, height - 120 - 16 * i, cell)
    pdf.save()
    return pdfium.PdfDocument(buffer.getvalue())[0].render(scale=200 / 72).to_pil().convert("L")


def test_lone_digits_that_sparse_segmentation_drops_are_read_on_a_second_look():  # type: ignore[no-untyped-def]
    # Tesseract's sparse mode alone returns no word for the three quantities (tesseract-ocr/tesseract#1108).
    image = _table_with_a_quantity_column()
    words = ocr_image(image, replace(CTX, page_segmentation="sparse")).words
    heading = next(w for w in words if w.text == "QTY")
    quantities = [
        w for w in words if w.box[0] < heading.box[2] and w.box[2] > heading.box[0] and w is not heading
    ]
    assert [w.text for w in sorted(quantities, key=lambda w: w.box[1])] == ["5", "6", "2"]
    # Placed back where they stand: each on its row, under the heading.
    rows = {w.text: w for w in words if w.text in {"278.15", "13.19", "233.79"}}
    for quantity, rate in zip(
        sorted(quantities, key=lambda w: w.box[1]), ("278.15", "13.19", "233.79"), strict=True
    ):
        assert abs((quantity.box[1] + quantity.box[3]) / 2 - (rows[rate].box[1] + rows[rate].box[3]) / 2) < 10


def test_a_second_look_passes_over_rules_specks_and_the_edges_of_read_words():  # type: ignore[no-untyped-def]
    image = Image.new("L", (600, 200), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 120, 40), fill=0)  # a word tesseract read (its box given below)
    draw.rectangle((121, 22, 124, 38), fill=0)  # the edge of that word's last letter, outside its box
    draw.rectangle((20, 80, 580, 82), fill=0)  # a table rule
    draw.point((300, 150), fill=0)  # a speck
    draw.rectangle((400, 20, 410, 40), fill=0)  # a lone glyph no word covers
    ink = loose_ink(image, [(20, 20, 120, 40)])
    assert len(ink.boxes) == 1, ink.boxes
    assert all(abs(found - drawn) <= 2 for found, drawn in zip(ink.boxes[0], (400, 20, 411, 41), strict=True))
