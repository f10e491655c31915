"""First-run conveniences of `docloop run`: an admin login, an API key, and the sample documents."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select

from review_app.models import Document, Role, User
from review_app.runtime import Runtime
from review_app.services.accounts import create_api_key, create_user
from review_app.services.ingest import Upload, ingest

ADMIN_EMAIL = "admin@docloop.local"
CREDENTIALS_FILE = "initial-credentials.txt"
SAMPLE_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def ensure_admin_and_key(runtime: Runtime) -> str:
    """Create the first admin and an API key when there are no users; returns the text to print.

    The credentials are kept (mode 0600) in the data directory so later runs can show them again;
    delete that file once you have changed the password.
    """
    path = runtime.settings.data_dir / CREDENTIALS_FILE
    with runtime.session() as session:
        if session.scalar(select(User.id).limit(1)) is None:
            password = secrets.token_urlsafe(12)
            admin = create_user(session, ADMIN_EMAIL, password, Role.ADMIN, "Admin")
            key = create_api_key(session, "quickstart", created_by_id=admin.id)
            text = f"  admin login:  {ADMIN_EMAIL} / {password}\n  API key:      {key.secret}\n"
            path.write_text(text)
            path.chmod(0o600)
            return "First run: created\n" + text
    if path.exists():
        return "Credentials from the first run (" + str(path) + "):\n" + path.read_text()
    return (
        "Users exist already; create more with `docloop user create` and keys with `docloop apikey create`."
    )


def _doc_type_for(path: Path) -> str:
    """Sample files are named <doc_type>-<n>.<ext>."""
    return path.name.split("-", 1)[0]


def load_samples(runtime: Runtime, folder: Path) -> int:
    """Queue every sample document not loaded before (matched by external id `sample:<stem>`)."""
    if not folder.is_dir():
        return 0
    with runtime.session() as session:
        loaded = set(
            session.scalars(select(Document.external_id).where(Document.external_id.like("sample:%")))
        )
    count = 0
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SAMPLE_SUFFIXES or f"sample:{path.stem}" in loaded:
            continue
        doc_type = _doc_type_for(path)
        if doc_type not in runtime.schemas:
            continue
        ingest(
            runtime,
            Upload(
                data=path.read_bytes(),
                filename=path.name,
                doc_type=doc_type,
                external_id=f"sample:{path.stem}",
            ),
        )
        count += 1
    return count
