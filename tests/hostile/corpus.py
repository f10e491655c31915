"""A generated corpus of hostile and broken uploads, each with the outcome docloop promises for it.

Nothing here is stored in the repository as bytes: every file is built in memory, small on the wire
(bombs are compressed), so the corpus runs in CI in seconds.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from PIL import Image

from tests.helpers import invoice_pdf

ACCEPTED = "accepted"  # processed like any document (it ends in review or final, never stuck)
REFUSED = "refused"  # a 4xx JSON error at upload, nothing stored
FAILED = "failed"  # accepted, then the worker fails it with a stable error code


@dataclass(frozen=True)
class HostileCase:
    """One upload and what must come of it."""

    name: str
    build: Callable[[], bytes]
    filename: str = "upload.pdf"
    doc_type: str = "invoice"
    outcome: str = FAILED
    code: str | None = None  # the error code (refused or failed)
    status: int | None = None  # the HTTP status when refused
    form: dict[str, str] = field(default_factory=dict)
    words: Callable[[], bytes] | None = None  # a words JSON part (bring-your-own OCR)


def raw_pdf(objects: list[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered object bodies (object n is objects[n-1]) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(objects) + 1, root, trailer_extra))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _text_page_objects(text: bytes, media_box: bytes = b"[0 0 612 792]") -> list[bytes]:
    stream = b"BT /F1 12 Tf 72 700 Td (" + text + b") Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox "
        + media_box
        + b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def simple_pdf(number: str = "INV-1") -> bytes:
    """A one-page PDF with a text layer (the number keeps cases' bytes apart: same bytes are duplicates)."""
    return raw_pdf(_text_page_objects(b"Invoice " + number.encode() + b" Total 12.00"))


def many_pages_pdf(pages: int = 10_000) -> bytes:
    """A valid PDF with `pages` empty pages (about 70 bytes each)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    return raw_pdf(objects)


def enormous_page_pdf() -> bytes:
    """One page of 200,000 x 200,000 points (the PDF spec allows 14,400)."""
    return raw_pdf(_text_page_objects(b"", media_box=b"[0 0 200000 200000]"))


def cyclic_pages_pdf() -> bytes:
    """A page tree whose node lists itself as a kid: a naive walker never ends."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])


def broken_xref_pdf() -> bytes:
    """A readable PDF whose cross-reference table points at the wrong offsets."""
    data = simple_pdf()
    start = data.index(b"xref\n")
    table = data[start:].replace(b"00000 n", b"00000 n").split(b"\n")
    garbled = [line if not line.endswith(b" n ") else b"%010d 00000 n " % 7 for line in table]
    return data[:start] + b"\n".join(garbled)


def garbage_xref_pdf() -> bytes:
    """A PDF header followed by noise where the objects and the cross-reference table should be."""
    return b"%PDF-1.4\n" + bytes((i * 37 + 11) % 256 for i in range(4000)) + b"\nstartxref\n99999\n%%EOF\n"


def truncated_pdf() -> bytes:
    """A real invoice cut off half way."""
    data = invoice_pdf()
    return data[: len(data) // 2]


def header_only_pdf() -> bytes:
    """Just the magic bytes and an end marker."""
    return b"%PDF-1.7\n%%EOF\n"


def encrypted_pdf() -> bytes:
    """A PDF that needs a password to open."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    pdf.drawString(100, 700, "Invoice 123 total 10.00")
    pdf.save()
    return out.getvalue()


def javascript_pdf() -> bytes:
    """A PDF that asks the viewer to run JavaScript when opened (we never run it; we read the text)."""
    objects = _text_page_objects(b"Invoice INV-7 Total 99.00")
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>"
    objects.append(b"<< /S /JavaScript /JS (app.alert\\('pwned'\\);) >>")
    return raw_pdf(objects)


def pdf_zip_polyglot() -> bytes:
    """A valid PDF with a ZIP archive appended: read as the PDF it starts as."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("evil.sh", "#!/bin/sh\nrm -rf /\n")
    return simple_pdf() + archive.getvalue()


def zip_archive() -> bytes:
    """A ZIP of a PDF: archives are not documents."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("invoice.pdf", simple_pdf())
    return archive.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30_000) -> bytes:
    """A 1-bit PNG of side x side pixels (900 megapixels decoded), about 100 KB compressed."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def tiff_bomb() -> bytes:
    """A TIFF that declares 100,000 x 100,000 pixels in a header of a few hundred bytes."""
    entries = [
        (256, 4, 1, 100_000),  # ImageWidth
        (257, 4, 1, 100_000),  # ImageLength
        (258, 3, 1, 1),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # Photometric: black is zero
        (273, 4, 1, 8),  # StripOffsets
        (278, 4, 1, 100_000),  # RowsPerStrip
        (279, 4, 1, 16),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<I", value) if kind == 4 else struct.pack("<HH", value, 0)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 24) + b"\x00" * 16 + ifd


def jpeg_huge_header() -> bytes:
    """A tiny JPEG whose frame header is rewritten to claim 65,000 x 65,000 pixels."""
    out = io.BytesIO()
    Image.new("L", (8, 8), 255).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65_000, 65_000)
    return bytes(data)


def tiff_many_frames(frames: int = 300) -> bytes:
    """A multi-page TIFF with more pages than the limit."""
    out = io.BytesIO()
    first, *rest = [Image.new("L", (16, 16), 255) for _ in range(frames)]
    first.save(out, "TIFF", save_all=True, append_images=rest)
    return out.getvalue()


def jpeg_scan() -> bytes:
    """An ordinary small scan."""
    out = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(out, "JPEG")
    return out.getvalue()


def truncated_png() -> bytes:
    """A PNG cut inside its image data."""
    out = io.BytesIO()
    Image.effect_noise((300, 300), 60).save(out, "PNG")
    data = out.getvalue()
    return data[: len(data) // 3]


def gif_image() -> bytes:
    """A GIF (not a type docloop reads)."""
    out = io.BytesIO()
    Image.new("L", (10, 10), 0).save(out, "GIF")
    return out.getvalue()


def huge_words_json() -> bytes:
    """About 50 MB of words JSON."""
    word = {"text": "x" * 40, "box": [1, 1, 2, 2], "confidence": 0.9}
    page = {"number": 1, "width": 600, "height": 800, "words": [word] * 700_000}
    return json.dumps({"pages": [page]}).encode()


def malformed_words_json() -> bytes:
    """Words JSON that is not JSON."""
    return b'{"pages": [ {"number": 1, "words": [ '


def words_too_many_pages() -> bytes:
    """Words JSON with more pages than the limit."""
    pages = [{"number": n, "width": 10, "height": 10, "words": []} for n in range(1, 10_001)]
    return json.dumps({"pages": pages}).encode()


def corpus() -> list[HostileCase]:
    """Every hostile case with its expected outcome."""
    return [
        HostileCase("zero_bytes", lambda: b"", outcome=REFUSED, status=400, code="empty_file"),
        HostileCase("truncated_pdf", truncated_pdf, code="corrupt_document"),
        HostileCase("header_only_pdf", header_only_pdf, code="corrupt_document"),
        HostileCase("garbage_xref_pdf", garbage_xref_pdf, code="corrupt_document"),
        # pdfium rebuilds a damaged cross-reference table by scanning the objects, as viewers do.
        HostileCase("broken_xref_pdf", broken_xref_pdf, outcome=ACCEPTED),
        HostileCase("cyclic_page_tree_pdf", cyclic_pages_pdf, code="corrupt_document"),
        HostileCase("encrypted_pdf", encrypted_pdf, code="encrypted_pdf"),
        HostileCase("ten_thousand_pages_pdf", many_pages_pdf, code="too_many_pages"),
        HostileCase("enormous_page_pdf", enormous_page_pdf, code="page_too_large"),
        HostileCase("javascript_pdf", javascript_pdf, outcome=ACCEPTED),
        HostileCase("pdf_zip_polyglot", pdf_zip_polyglot, outcome=ACCEPTED),
        HostileCase("png_decompression_bomb", png_bomb, "bomb.png", code="page_too_large"),
        HostileCase("tiff_decompression_bomb", tiff_bomb, "bomb.tiff", code="page_too_large"),
        HostileCase("jpeg_claiming_65000_pixels", jpeg_huge_header, "big.jpg", code="page_too_large"),
        HostileCase("tiff_300_frames", tiff_many_frames, "scan.tiff", code="too_many_pages"),
        HostileCase("truncated_png", truncated_png, "scan.png", code="corrupt_document"),
        HostileCase("jpeg_named_pdf", jpeg_scan, "invoice.pdf", doc_type="receipt", outcome=ACCEPTED),
        HostileCase(
            "html_named_pdf",
            lambda: b"<!DOCTYPE html><html><body><script>fetch('/x')</script></body></html>",
            outcome=REFUSED,
            status=415,
            code="unsupported_type",
        ),
        HostileCase(
            "svg_named_pdf",
            lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
            outcome=REFUSED,
            status=415,
            code="unsupported_type",
        ),
        HostileCase(
            "javascript_named_pdf",
            lambda: b"/* %PDF-1.7 */ require('child_process').exec('id');",
            outcome=REFUSED,
            status=415,
            code="unsupported_type",
        ),
        HostileCase(
            "html_pdf_polyglot",
            lambda: b"<html><!-- " + simple_pdf() + b" --></html>",
            outcome=REFUSED,
            status=415,
            code="unsupported_type",
        ),
        HostileCase(
            "zip_archive", zip_archive, "docs.zip", outcome=REFUSED, status=415, code="unsupported_type"
        ),
        HostileCase("gif_image", gif_image, "scan.gif", outcome=REFUSED, status=415, code="unsupported_type"),
        HostileCase(
            "words_json_50mb",
            simple_pdf,
            words=huge_words_json,
            outcome=REFUSED,
            status=413,
            code="payload_too_large",
        ),
        HostileCase(
            "words_json_malformed",
            simple_pdf,
            words=malformed_words_json,
            outcome=REFUSED,
            status=400,
            code="invalid_words",
        ),
        HostileCase(
            "words_json_10000_pages",
            simple_pdf,
            words=words_too_many_pages,
            outcome=REFUSED,
            status=400,
            code="too_many_pages",
        ),
        HostileCase(
            "path_traversal_filename",
            partial(simple_pdf, "INV-2"),
            "../../../etc/passwd.pdf",
            outcome=ACCEPTED,
        ),
        # Werkzeug cannot decode such a part's headers and drops the part: the caller hears which part.
        HostileCase(
            "invalid_utf8_filename",
            simple_pdf,
            "inv\udcff\udcfeoice.pdf",
            outcome=REFUSED,
            status=400,
            code="missing_file",
        ),
        HostileCase(
            "control_characters_filename",
            partial(simple_pdf, "INV-3"),
            "inv\x1b[31moice\u202e.pdf",
            outcome=ACCEPTED,
        ),
        HostileCase(
            "metadata_twenty_kilobytes",
            simple_pdf,
            form={"metadata": json.dumps({"note": "x" * 20_000})},
            outcome=REFUSED,
            status=400,
            code="invalid_metadata",
        ),
        # Larger than any form field may be: the form parser refuses it before the app reads it.
        HostileCase(
            "metadata_one_megabyte",
            simple_pdf,
            form={"metadata": json.dumps({"note": "x" * 1_000_000})},
            outcome=REFUSED,
            status=413,
            code="payload_too_large",
        ),
        HostileCase(
            "external_id_ten_thousand_chars",
            simple_pdf,
            form={"external_id": "e" * 10_000},
            outcome=REFUSED,
            status=400,
            code="invalid_external_id",
        ),
    ]
