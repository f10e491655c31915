"""Reading pages: text layers, OCR, and words supplied by the caller all end as `Page` values."""

from extractors.reading.document import read_document

__all__ = ["read_document"]
