"""Tell a file's type by its first bytes, never by its name."""

from __future__ import annotations

from extractors.exceptions import EmptyDocument, UnsupportedDocument

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"

SUPPORTED = (PDF, PNG, JPEG, TIFF)
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", TIFF: ".tif"}


def sniff_media_type(head: bytes) -> str:
    """The media type of a document from its magic bytes; raises for anything we do not read."""
    if not head:
        raise EmptyDocument("The file is empty (0 bytes).")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    raise UnsupportedDocument(
        "The file is not a PDF, PNG, JPEG or TIFF document (checked by its content, not its name)."
    )
