"""Tesseract's more accurate language data, fetched once at install time from the npm registry.

Debian's `tesseract-ocr-<code>` packages carry tesseract's "fast" models. The "best" models, converted to
integers (tesseract's `tessdata_best`, as `4.0.0_best_int`), read receipt photos better (BENCHMARKS.md);
the npm registry, which this project may reach, carries them in the `@tesseract.js-data/<code>` packages.
Each tarball is checked against the integrity digest the registry publishes before anything is written.
The system's fast model of each language is linked in beside it as `<code>_fast`, so that one folder
serves a reading with either ("eng,msa,eng_fast" reads each page three times).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

NPM_REGISTRY = "https://registry.npmjs.org"
PACKAGE_VERSION = "1.0.0"
MODEL_FOLDER = "4.0.0_best_int"
# Orientation detection has no "best" model: tesseract's own is linked in beside the fetched ones.
SYSTEM_TESSDATA = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
)
MAX_TARBALL_BYTES = 64 * 1024 * 1024


class ModelFetchError(Exception):
    """A language's model could not be fetched or did not check out; the message says which and why."""


@dataclass(frozen=True)
class FetchedModel:
    """One language's model as written: where, how large, and the digest the registry vouched for."""

    language: str
    path: Path
    size: int
    integrity: str


def fetch_models(
    languages: list[str], into: Path, registry: str = NPM_REGISTRY, timeout: float = 60.0
) -> list[FetchedModel]:
    """Fetch the best (integer) model of each language into `into`, with tesseract's orientation model and
    the system's fast models (`<code>_fast`) beside them; a language already there is fetched again, so a
    broken file is mended."""
    into.mkdir(parents=True, exist_ok=True)
    fetched = [_fetch_one(language, into, registry.rstrip("/"), timeout) for language in languages]
    _link_system_model("osd", into / "osd.traineddata")
    for language in languages:
        _link_system_model(language, into / f"{language}_fast.traineddata")
    return fetched


def _fetch_one(language: str, into: Path, registry: str, timeout: float) -> FetchedModel:
    if not language.replace("_", "").isalnum():
        raise ModelFetchError(f"'{language}' is not a tesseract language code (such as eng, msa, chi_sim)")
    package = f"@tesseract.js-data/{language}"
    metadata = _json(f"{registry}/{urllib.parse.quote(package, safe='@')}/{PACKAGE_VERSION}", timeout)
    dist = metadata.get("dist") or {}
    tarball_url, integrity = dist.get("tarball"), dist.get("integrity", "")
    if not tarball_url or not integrity.startswith("sha512-"):
        raise ModelFetchError(
            f"{package}@{PACKAGE_VERSION}: the registry lists no tarball with a sha512 hash"
        )
    tarball = _download(tarball_url, timeout)
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if f"sha512-{digest}" != integrity:
        raise ModelFetchError(f"{package}: the tarball does not match the registry's digest; nothing written")
    member = f"package/{MODEL_FOLDER}/{language}.traineddata.gz"
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            packed = archive.extractfile(member)
            model = gzip.decompress(packed.read()) if packed else b""
    except (tarfile.TarError, KeyError, OSError, EOFError) as e:
        raise ModelFetchError(f"{package}: {member} could not be read from the tarball: {e}") from e
    if not model:
        raise ModelFetchError(f"{package}: {member} is missing or empty")
    target = into / f"{language}.traineddata"
    # Written beside and renamed, so a tesseract starting meanwhile never loads half a model.
    with tempfile.NamedTemporaryFile(dir=into, prefix=f".{language}.", delete=False) as handle:
        handle.write(model)
    os.chmod(handle.name, 0o644)  # readable by workers running as another user, like Debian's models
    os.replace(handle.name, target)
    return FetchedModel(language, target, len(model), integrity)


def _link_system_model(language: str, target: Path) -> None:
    """Link the model tesseract's own folder holds for `language` in as `target` (if it holds one)."""
    if target.is_symlink() or target.exists():
        return
    sources = (folder / f"{language}.traineddata" for folder in SYSTEM_TESSDATA)
    source = next((path for path in sources if path.exists()), None)
    if source is not None:
        target.symlink_to(source)


def _json(url: str, timeout: float) -> dict:
    try:
        return json.loads(_download(url, timeout, accept="application/json"))
    except json.JSONDecodeError as e:
        raise ModelFetchError(f"{url}: the registry answered with something other than JSON") from e


def _download(url: str, timeout: float, accept: str = "*/*") -> bytes:
    if urllib.parse.urlparse(url).scheme not in {"http", "https"}:
        raise ModelFetchError(f"{url}: only http and https addresses are fetched")
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            body = response.read(MAX_TARBALL_BYTES + 1)
    except urllib.error.HTTPError as e:
        raise ModelFetchError(f"{url}: the registry answered {e.code} {e.reason}") from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise ModelFetchError(f"{url}: the registry could not be reached ({e})") from e
    if len(body) > MAX_TARBALL_BYTES:
        raise ModelFetchError(f"{url}: larger than {MAX_TARBALL_BYTES // (1024 * 1024)} MB; not fetched")
    return body
