"""Content-addressed storage of uploaded bytes: one file per sha256, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    """The hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """Files under `root/ab/cd/<sha256>`; the same bytes are stored once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, digest: str) -> Path:
        """Where the bytes with this digest live."""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a sha256 hex digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        """Store bytes (no-op when already present) and return their digest."""
        digest = sha256_hex(data)
        path = self.path_for(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename, so a crash never leaves a half-written blob under its name.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        """The stored bytes; raises FileNotFoundError when they are gone."""
        return self.path_for(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        """Whether bytes with this digest are stored."""
        return self.path_for(digest).exists()

    def delete(self, digest: str) -> None:
        """Remove stored bytes (erasure); missing is fine."""
        self.path_for(digest).unlink(missing_ok=True)
