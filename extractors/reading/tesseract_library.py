"""Tesseract kept loaded: the C API of the libtesseract the `tesseract` command itself runs on, via ctypes.

Each `tesseract` command spends about 0.11 s starting and loading its language model before it reads a
pixel; on a 0.5 s page that is a fifth of the cost, and sparse reading's second look pays it twice. An
`Engine` loads the model once per process (and thread) and reads every later page with it. It is the same
library, version and model as the command, and it is handed the same pixels and resolution, so it returns
the same words (tests/extractors/test_tesseract_library.py compares the two).

Its time limit is tesseract's own deadline, which stops recognition; layout analysis before it is not
interruptible, but it is bounded by the page size limits and takes a fraction of a second on a page.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import threading
import weakref
from dataclasses import dataclass

from PIL import Image

from extractors.exceptions import OcrFailed, OcrTimeout

# Resolution the command sees in a bitmap PIL wrote without one (PIL's BMP writer puts 96 dpi there).
DEFAULT_DPI = 96


@dataclass(frozen=True)
class Segmentation:
    """A page segmentation mode and the variables read with it, for either way of running tesseract."""

    psm: int
    variables: tuple[tuple[str, str], ...] = ()

    def command_config(self) -> str:
        """The same settings as arguments of the tesseract command."""
        return " ".join([f"--psm {self.psm}", *(f"-c {name}={value}" for name, value in self.variables)])


class LibraryUnavailable(Exception):
    """libtesseract could not be loaded (not installed, or another ABI than its C API promises)."""


_load_lock = threading.Lock()
_library: ctypes.CDLL | None = None
# Engines still open, for closing at exit; an engine whose thread ended is freed with the thread's locals.
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_local = threading.local()


def _declare(lib: ctypes.CDLL) -> None:
    handle, text = ctypes.c_void_p, ctypes.c_char_p
    signatures = {
        "TessBaseAPICreate": (handle, []),
        "TessBaseAPIInit3": (ctypes.c_int, [handle, text, text]),
        "TessBaseAPISetVariable": (ctypes.c_int, [handle, text, text]),
        "TessBaseAPISetPageSegMode": (None, [handle, ctypes.c_int]),
        "TessBaseAPISetImage": (
            None,
            [handle, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int],
        ),
        "TessBaseAPISetSourceResolution": (None, [handle, ctypes.c_int]),
        "TessBaseAPIRecognize": (ctypes.c_int, [handle, handle]),
        "TessBaseAPIGetTsvText": (handle, [handle, ctypes.c_int]),
        "TessBaseAPIClear": (None, [handle]),
        "TessBaseAPIEnd": (None, [handle]),
        "TessBaseAPIDelete": (None, [handle]),
        "TessDeleteText": (None, [handle]),
        "TessMonitorCreate": (handle, []),
        "TessMonitorSetDeadlineMSecs": (None, [handle, ctypes.c_int]),
        "TessMonitorDelete": (None, [handle]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = result, arguments


def load_library() -> ctypes.CDLL:
    """libtesseract, loaded once per process; raises LibraryUnavailable when it is not there."""
    global _library
    with _load_lock:
        if _library is None:
            # OpenMP reads its thread limit when the library loads: one thread, as for the command.
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            name = ctypes.util.find_library("tesseract") or "libtesseract.so.5"
            try:
                lib = ctypes.CDLL(name)
                _declare(lib)
            except (OSError, AttributeError) as e:
                raise LibraryUnavailable(f"libtesseract could not be loaded ({name}): {e}") from e
            _library = lib
        return _library


class Engine:
    """One loaded tesseract (one language setting); not for sharing between threads."""

    def __init__(self, language: str, datapath: str | None = None) -> None:
        self._lib = load_library()
        self.language = language
        self._handle = self._lib.TessBaseAPICreate()
        folder = datapath.encode() if datapath else None
        if self._lib.TessBaseAPIInit3(self._handle, folder, language.encode()) != 0:
            self._lib.TessBaseAPIDelete(self._handle)
            self._handle = None
            raise OcrFailed.missing_language(language, datapath)
        # Tesseract's diagnostics ("Image too small to scale!!") went to the command's stderr, which
        # pytesseract discards; in this process they would land in the worker's log.
        self._lib.TessBaseAPISetVariable(self._handle, b"debug_file", os.devnull.encode())

    def data(self, image: Image.Image, segmentation: Segmentation, timeout_seconds: float) -> dict:
        """Words of `image` as pytesseract's `image_to_data` dictionary (same keys, same values)."""
        if self._handle is None:
            raise OcrFailed("the tesseract engine was closed")
        grey = image if image.mode == "L" else image.convert("L")
        pixels = grey.tobytes()
        lib, handle = self._lib, self._handle
        for name, value in segmentation.variables:
            lib.TessBaseAPISetVariable(handle, name.encode(), value.encode())
        lib.TessBaseAPISetPageSegMode(handle, segmentation.psm)
        lib.TessBaseAPISetImage(handle, pixels, grey.width, grey.height, 1, grey.width)
        lib.TessBaseAPISetSourceResolution(handle, _resolution(grey))
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout_seconds * 1000)))
            if lib.TessBaseAPIRecognize(handle, monitor) != 0:
                raise OcrTimeout.after(timeout_seconds)
            text = lib.TessBaseAPIGetTsvText(handle, 0)
            try:
                tsv = ctypes.string_at(text).decode("utf-8", errors="replace") if text else ""
            finally:
                lib.TessDeleteText(text)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(handle)
        return parse_tsv(tsv)

    def close(self) -> None:
        """Free the model (done when the engine is dropped, and at exit for engines still open)."""
        if getattr(self, "_handle", None) is not None:
            self._lib.TessBaseAPIEnd(self._handle)
            self._lib.TessBaseAPIDelete(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()


def _resolution(image: Image.Image) -> int:
    # The command reads the resolution a bitmap carries; PIL writes the image's own dpi there, else 96.
    dpi = image.info.get("dpi")
    try:
        return max(1, round(float(dpi[0]))) if dpi else DEFAULT_DPI
    except (TypeError, ValueError, IndexError):
        return DEFAULT_DPI


TSV_COLUMNS = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)


def parse_tsv(tsv: str) -> dict:
    """Tesseract's TSV rows (no heading) as columns of ints, and text, as pytesseract reads them."""
    data: dict[str, list] = {column: [] for column in TSV_COLUMNS}
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < len(TSV_COLUMNS) - 1:
            continue
        cells += [""] * (len(TSV_COLUMNS) - len(cells))
        # pytesseract cuts every number to a whole one, confidence included (96.68 is 96): so here, so that
        # both engines hand on the same numbers.
        for column, cell in zip(TSV_COLUMNS[:11], cells[:11], strict=True):
            data[column].append(int(float(cell)))
        data["text"].append(cells[11])
    return data


def engine_for(language: str, datapath: str | None = None) -> Engine:
    """This thread's loaded engine for `language` (from the language data in `datapath`, else tesseract's
    own), made on first use and kept."""
    engines = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
    engine = engines.get((datapath, language))
    if engine is None:
        engine = engines[(datapath, language)] = Engine(language, datapath)
        with _load_lock:
            _engines.add(engine)
    return engine


@atexit.register
def _close_all() -> None:
    # Tesseract reports every model still loaded at exit as a leak on stderr.
    for engine in list(_engines):
        engine.close()
