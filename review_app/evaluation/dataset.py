"""Labelled folders: `<stem>.<image|pdf>`, `<stem>.json` (expected fields), optional `<stem>.words.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCUMENT_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


@dataclass(frozen=True)
class LabelledDocument:
    """One stem of a labelled folder."""

    stem: str
    label_path: Path
    document_path: Path | None
    words_path: Path | None

    def expected(self) -> dict[str, Any]:
        """The expected fields as the label file states them."""
        return json.loads(self.label_path.read_text(encoding="utf-8"))


def list_labelled(directory: Path) -> list[LabelledDocument]:
    """Every labelled stem of a folder, in sorted stem order."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a folder")
    documents = []
    for label in sorted(directory.glob("*.json")):
        if label.name.endswith(".words.json"):
            continue
        stem = label.name[: -len(".json")]
        document = next(
            (directory / f"{stem}{s}" for s in DOCUMENT_SUFFIXES if (directory / f"{stem}{s}").exists()), None
        )
        words = directory / f"{stem}.words.json"
        documents.append(
            LabelledDocument(
                stem=stem,
                label_path=label,
                document_path=document,
                words_path=words if words.exists() else None,
            )
        )
    return documents
