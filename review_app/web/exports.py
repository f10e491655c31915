"""The analysts' export page: pick a format, type, split and redaction; the snapshot downloads as it is
written."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, render_template, request, stream_with_context

from review_app.db import utcnow
from review_app.services.dataset_formats import FILE_FORMATS, MEDIA_TYPES
from review_app.services.snapshots import download_name, export_args, stream_lines
from review_app.web.access import ANALYSTS, roles_required
from review_app.web.context import runtime

bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.get("/")
@roles_required(*ANALYSTS)
def page():  # type: ignore[no-untyped-def]
    """The export form."""
    return render_template("exports.html", formats=FILE_FORMATS, doc_types=sorted(runtime().schemas))


@bp.get("/download")
@roles_required(*ANALYSTS)
def download():  # type: ignore[no-untyped-def]
    """Stream the chosen snapshot as a file download."""
    return snapshot_download(request.args)


def snapshot_download(args: Mapping[str, str]) -> Response:
    """A one-file snapshot chosen by query parameters, streamed as an attachment (page and API alike)."""
    fmt, doc_type, test_share, redact = export_args(args)
    body = stream_lines(runtime(), fmt, doc_type, test_share, redact)
    name = download_name(fmt, doc_type, utcnow().strftime("%Y%m%dT%H%M%SZ"))
    return Response(
        stream_with_context(body),
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
