"""Errors raised while reading or extracting; each has a stable code a document can fail with."""

from __future__ import annotations


class ExtractionError(Exception):
    """Base error: `code` is stable, the message says what happened and what to do."""

    code = "extraction_failed"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class UnsupportedDocument(ExtractionError):
    code = "unsupported_type"


class EmptyDocument(ExtractionError):
    code = "empty_file"


class CorruptDocument(ExtractionError):
    code = "corrupt_document"


class EncryptedDocument(ExtractionError):
    code = "encrypted_pdf"


class TooManyPages(ExtractionError):
    code = "too_many_pages"


class PageTooLarge(ExtractionError):
    code = "page_too_large"


class OcrFailed(ExtractionError):
    code = "ocr_failed"

    @classmethod
    def missing_language(cls, language: str, folder: str | None = None) -> OcrFailed:
        """The error for language data tesseract does not have, with what to install."""
        if folder:
            return cls(
                f"tesseract has no language data for '{language}' in {folder} (DOCLOOP_TESSDATA_DIR): "
                f"fetch it with 'docloop ocr-models {language.replace('+', ' ')}'"
            )
        return cls(
            f"tesseract has no language data for '{language}' (DOCLOOP_OCR_LANGUAGE): install it, "
            "e.g. apt-get install tesseract-ocr-<code> for each code"
        )


class OcrTimeout(ExtractionError):
    code = "ocr_timeout"

    @classmethod
    def after(cls, seconds: float) -> OcrTimeout:
        """The error for a page stopped at the OCR time limit."""
        return cls(f"OCR took longer than {seconds:g} s and was stopped.")


class InvalidWords(ExtractionError):
    code = "invalid_words"


class UnknownDocumentType(ExtractionError):
    code = "unknown_doc_type"


class SchemaError(ExtractionError):
    code = "invalid_schema"
