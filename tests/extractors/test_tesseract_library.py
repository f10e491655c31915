"""Tesseract kept loaded (libtesseract through its C API) against the tesseract command, on real pages."""

from __future__ import annotations

import gc
import threading
import weakref
from dataclasses import replace

import pytest
from PIL import Image

from extractors.context import ReadContext
from extractors.exceptions import OcrFailed, OcrTimeout
from extractors.reading.ocr import ocr_image
from extractors.reading.tesseract_library import engine_for, parse_tsv
from review_app.exceptions import ConfigurationError
from review_app.settings import load_settings
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr
LIBRARY = ReadContext(ocr_engine="library")
COMMAND = ReadContext(ocr_engine="command")


@pytest.mark.parametrize(
    ("sample", "segmentation"),
    [("receipt-03.jpg", "block"), ("invoice-14.jpg", "sparse"), ("form-01.png", "sparse")],
)
def test_the_loaded_engine_reads_the_same_words_as_the_command(sample, segmentation):  # type: ignore[no-untyped-def]
    image = Image.open(SAMPLES / sample)
    from_library = ocr_image(image, replace(LIBRARY, page_segmentation=segmentation))
    from_command = ocr_image(image, replace(COMMAND, page_segmentation=segmentation))
    assert len(from_library.words) > 20
    # Text, boxes and confidences, word for word (sparse reading includes the second look's words).
    assert from_library == from_command


@pytest.mark.parametrize("ctx", [LIBRARY, COMMAND], ids=["library", "command"])
def test_a_page_over_the_time_limit_is_stopped_with_a_clear_error(ctx):  # type: ignore[no-untyped-def]
    image = Image.open(SAMPLES / "invoice-14.jpg")
    with pytest.raises(OcrTimeout, match=r"longer than 0\.001 s"):
        ocr_image(image, replace(ctx, ocr_timeout_seconds=0.001))


@pytest.mark.parametrize("ctx", [LIBRARY, COMMAND], ids=["library", "command"])
def test_missing_language_data_is_a_clear_error_either_way(ctx):  # type: ignore[no-untyped-def]
    with pytest.raises(OcrFailed, match="no language data for 'xyz'"):
        ocr_image(Image.open(SAMPLES / "receipt-03.jpg"), replace(ctx, ocr_language="xyz"))


def test_an_unknown_engine_is_refused():  # type: ignore[no-untyped-def]
    with pytest.raises(OcrFailed, match="unknown OCR engine 'gpu'"):
        ocr_image(Image.open(SAMPLES / "receipt-03.jpg"), replace(LIBRARY, ocr_engine="gpu"))
    with pytest.raises(ConfigurationError, match="DOCLOOP_OCR_ENGINE='gpu'"):
        load_settings({"DOCLOOP_OCR_ENGINE": "gpu"})


def test_each_thread_keeps_its_own_engine():  # type: ignore[no-untyped-def]
    # A loaded tesseract is not safe to share: a thread reuses its own and never another's.
    mine = engine_for("eng")
    assert engine_for("eng") is mine
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(engine_for("eng")))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine
    # The other thread has ended: its engine goes with it, model and all, rather than piling up.
    gone = weakref.ref(theirs.pop())
    gc.collect()
    assert gone() is None


def test_tsv_rows_become_pytesseracts_columns():  # type: ignore[no-untyped-def]
    data = parse_tsv(
        "4\t1\t1\t1\t1\t0\t10\t20\t300\t40\t-1\t\n5\t1\t1\t1\t1\t1\t10\t20\t80\t40\t96.68\tTotal\n"
    )
    assert data["text"] == ["", "Total"]
    assert data["conf"] == [-1, 96]  # cut to whole numbers, as pytesseract does
    assert data["left"] == [10, 10] and data["width"] == [300, 80]
