"""`docloop ocr-models`: tesseract models fetched from an npm registry (a local stand-in), checked first."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from extractors.context import ReadContext
from extractors.reading.ocr import ocr_image
from review_app.cli import main
from review_app.services.ocr_models import ModelFetchError, fetch_models
from tests.conftest import SAMPLES

SYSTEM_ENG = Path("/usr/share/tesseract-ocr/5/tessdata/eng.traineddata")


def _tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class StandInRegistry:
    """Package metadata and tarballs as the npm registry serves them; `tamper` serves other bytes."""

    def __init__(self) -> None:
        self.tarballs: dict[str, bytes] = {}
        self.tamper = False
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urllib.parse.unquote(self.path)
                metadata = re.fullmatch(r"/@tesseract\.js-data/(\w+)/1\.0\.0", path)
                tarball = re.fullmatch(r"/tarballs/(\w+)-1\.0\.0\.tgz", path)
                if metadata and metadata[1] in registry.tarballs:
                    body = registry.metadata(metadata[1])
                elif tarball and tarball[1] in registry.tarballs:
                    body = registry.tarballs[tarball[1]]
                    body = body[:-1] + b"x" if registry.tamper else body
                else:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def metadata(self, language: str) -> bytes:
        digest = base64.b64encode(hashlib.sha512(self.tarballs[language]).digest()).decode()
        dist = {"tarball": f"{self.url}/tarballs/{language}-1.0.0.tgz", "integrity": f"sha512-{digest}"}
        return json.dumps(
            {"name": f"@tesseract.js-data/{language}", "version": "1.0.0", "dist": dist}
        ).encode()


@pytest.fixture
def registry() -> Iterator[StandInRegistry]:
    stand_in = StandInRegistry()
    thread = threading.Thread(target=stand_in.server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


@pytest.mark.ocr
def test_a_fetched_model_is_checked_written_and_read_with(registry, tmp_path):  # type: ignore[no-untyped-def]
    model = SYSTEM_ENG.read_bytes()
    registry.tarballs["eng"] = _tarball({"package/4.0.0_best_int/eng.traineddata.gz": gzip.compress(model)})
    folder = tmp_path / "tessdata"
    result = CliRunner().invoke(
        main, ["ocr-models", "eng", "--into", str(folder), "--registry", registry.url], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert f"DOCLOOP_TESSDATA_DIR={folder.resolve()}" in result.output
    assert (folder / "eng.traineddata").read_bytes() == model
    assert (folder / "osd.traineddata").exists()  # orientation detection keeps working from the folder
    # The system's fast model beside it, for a reading with each: "eng,eng_fast".
    assert (folder / "eng_fast.traineddata").resolve() == SYSTEM_ENG.resolve()
    image = Image.open(SAMPLES / "receipt-03.jpg")
    assert ocr_image(image, ReadContext(tessdata_dir=str(folder))) == ocr_image(image, ReadContext())


def test_a_tarball_that_does_not_match_its_digest_writes_nothing(registry, tmp_path):  # type: ignore[no-untyped-def]
    registry.tarballs["eng"] = _tarball(
        {"package/4.0.0_best_int/eng.traineddata.gz": gzip.compress(b"model")}
    )
    registry.tamper = True
    with pytest.raises(ModelFetchError, match="does not match the registry's digest"):
        fetch_models(["eng"], tmp_path, registry.url)
    assert not (tmp_path / "eng.traineddata").exists()


def test_unknown_languages_and_packages_without_the_model_are_named(registry, tmp_path):  # type: ignore[no-untyped-def]
    registry.tarballs["msa"] = _tarball({"package/4.0.0/msa.traineddata.gz": gzip.compress(b"legacy only")})
    with pytest.raises(ModelFetchError, match="answered 404"):
        fetch_models(["xyz"], tmp_path, registry.url)
    with pytest.raises(ModelFetchError, match=r"4\.0\.0_best_int/msa\.traineddata\.gz could not be read"):
        fetch_models(["msa"], tmp_path, registry.url)
    with pytest.raises(ModelFetchError, match="not a tesseract language code"):
        fetch_models(["../eng"], tmp_path, registry.url)
    result = CliRunner().invoke(
        main, ["ocr-models", "xyz", "--into", str(tmp_path), "--registry", registry.url]
    )
    assert result.exit_code == 1 and "answered 404" in result.output


def test_an_unreachable_registry_is_a_clear_error(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ModelFetchError, match="could not be reached"):
        fetch_models(["eng"], tmp_path, "http://127.0.0.1:9", timeout=2)
