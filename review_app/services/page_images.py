"""Page images for the review screen, rendered on first view and cached on disk by content hash."""

from __future__ import annotations

from pathlib import Path

from extractors.reading.images import display_jpeg
from review_app.models import Document
from review_app.runtime import Runtime


def page_image_path(runtime: Runtime, document: Document, page_number: int) -> Path:
    """The cached JPEG of one page, rendered now if it is not there yet."""
    path = runtime.settings.page_image_dir / document.sha256[:2] / f"{document.sha256}-{page_number}.jpg"
    if not path.exists():
        jpeg, _w, _h = display_jpeg(
            runtime.blobs.get(document.sha256), document.media_type, page_number, runtime.read_context
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(jpeg)
        tmp.replace(path)
    return path


def delete_page_images(runtime: Runtime, document: Document) -> None:
    """Remove every cached page image of a document (erasure)."""
    folder = runtime.settings.page_image_dir / document.sha256[:2]
    for path in folder.glob(f"{document.sha256}-*.jpg"):
        path.unlink(missing_ok=True)
