"""Dataset formats made from export records: the full JSONL record, CSV (one row per document), chat
fine-tuning examples, token-labelled words with boxes and BIO tags, and a Hugging Face datasets folder."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FILE_FORMATS = ("jsonl", "csv", "chat", "bio")
FORMATS = (*FILE_FORMATS, "hf")
MEDIA_TYPES = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv",
    "chat": "application/x-ndjson",
    "bio": "application/x-ndjson",
}
SYSTEM_PROMPT = (
    "Extract the fields of this {doc_type} and answer with one JSON object: {fields}. "
    "Use null for a field the document does not show."
)


def lines(fmt: str, records: Iterable[dict[str, Any]], field_names: list[str]) -> Iterator[str]:
    """The lines of a one-file format, one record at a time (constant memory)."""
    if fmt == "csv":
        yield _csv_line(["document_id", "doc_type", "vendor", "split", *_csv_columns(field_names)])
    for record in records:
        if fmt == "jsonl":
            yield dumps_record(record) + "\n"
        elif fmt == "csv":
            yield _csv_line(_csv_row(record, field_names))
        elif fmt == "chat":
            yield json.dumps(chat_example(record, field_names), ensure_ascii=False) + "\n"
        elif fmt == "bio":
            yield json.dumps(bio_example(record), ensure_ascii=False) + "\n"
        else:
            raise ValueError(f"unknown format {fmt!r}")


class RawJSON(str):
    """JSON text from the database, written into a line as it is instead of parsed and dumped again."""


# Stands for a RawJSON value while the rest of a record is dumped; random, so no value can look like it.
_NONCE = secrets.token_hex(12)


def dumps_record(record: dict[str, Any]) -> str:
    """A record as one JSON line, with any RawJSON page words (and further readings) spliced in unparsed."""
    raws: dict[str, str] = {}

    def swap(page: dict[str, Any]) -> dict[str, Any]:
        raw = [name for name in ("words", "alternates") if isinstance(page.get(name), RawJSON)]
        if not raw:
            return page
        swapped = dict(page)
        for name in raw:
            key = f"{_NONCE}:{len(raws)}"
            raws[key] = page[name]
            swapped[name] = key
        return swapped

    pages = [swap(page) for page in record.get("pages", [])]
    text = json.dumps({**record, "pages": pages} if raws else record, ensure_ascii=False)
    for key, raw in raws.items():
        text = text.replace(json.dumps(key), raw, 1)
    return text


def _csv_columns(field_names: list[str]) -> list[str]:
    return [f"{name}_{part}" for name in field_names for part in ("predicted", "final", "corrected")]


def _csv_row(record: dict[str, Any], field_names: list[str]) -> list[Any]:
    by_name = {f["name"]: f for f in record["fields"]}
    row: list[Any] = [record["document_id"], record["doc_type"], record["vendor"], record["split"]]
    for name in field_names:
        field = by_name.get(name)
        row += [field["predicted"], field["final"], int(field["corrected"])] if field else ["", "", ""]
    return row


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def words_as_text(pages: Iterable[Iterable[tuple[str, float, float]]]) -> str:
    """Pages of (text, top, bottom) words as text: a new line where a word starts below the one before it,
    a blank line between pages."""
    parts: list[str] = []
    for words in pages:
        previous_bottom = None
        for text, top, bottom in words:
            if previous_bottom is not None:
                parts.append("\n" if top >= previous_bottom - 1 else " ")
            parts.append(str(text))
            previous_bottom = bottom
        parts.append("\n\n")
    return "".join(parts).strip()


def document_text(record: dict[str, Any]) -> str:
    """An export record's words as text."""
    return words_as_text([(w[0], w[2], w[4]) for w in page["words"]] for page in record["pages"])


def chat_example(record: dict[str, Any], field_names: list[str]) -> dict[str, Any]:
    """One fine-tuning example in the chat format: the document's text in, its final fields as JSON out."""
    names = [n for n in field_names if n in record["final"]] or list(record["final"])
    return {
        "messages": [
            {
                "role": "system",
                "content": SYSTEM_PROMPT.format(doc_type=record["doc_type"], fields=", ".join(names)),
            },
            {"role": "user", "content": document_text(record)},
            {
                "role": "assistant",
                "content": json.dumps({n: record["final"].get(n) for n in names}, ensure_ascii=False),
            },
        ],
        "split": record["split"],
        "document_id": record["document_id"],
    }


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def bio_example(record: dict[str, Any]) -> dict[str, Any]:
    """Words with boxes (0-1000 per page, the LayoutLM convention) and a BIO tag per word for each field
    whose value could be placed: inside its box when the machine's value was kept, else where the words
    spell the final value."""
    tokens, boxes, pages = [], [], []
    for page in record["pages"]:
        width, height = page["width"] or 1, page["height"] or 1
        for text, x0, y0, x1, y1, *_ in page["words"]:
            tokens.append(str(text))
            boxes.append(
                [
                    _scale(x0, width),
                    _scale(y0, height),
                    _scale(x1, width),
                    _scale(y1, height),
                ]
            )
            pages.append(page["number"])
    tags = ["O"] * len(tokens)
    placed = []
    for field in record["fields"]:
        span = _span(field, tokens, boxes, pages, record) if field["final"] else []
        if span and all(tags[i] == "O" for i in span):
            label = field["name"].upper()
            for position, index in enumerate(span):
                tags[index] = ("B-" if position == 0 else "I-") + label
            placed.append(field["name"])
    return {
        "id": record["document_id"],
        "tokens": tokens,
        "bboxes": boxes,
        "pages": pages,
        "ner_tags": tags,
        "fields": record["final"],
        "placed": placed,
        "split": record["split"],
    }


def _scale(value: float, size: float) -> int:
    return max(0, min(1000, round(value / size * 1000)))


def _span(
    field: dict[str, Any], tokens: list[str], boxes: list[list[int]], pages: list[int], record: dict[str, Any]
) -> list[int]:
    if not field["corrected"] and field["box"] and field["page"]:
        page = next((p for p in record["pages"] if p["number"] == field["page"]), None)
        if page is not None:
            x0, y0, x1, y1 = (
                _scale(field["box"][0], page["width"] or 1),
                _scale(field["box"][1], page["height"] or 1),
                _scale(field["box"][2], page["width"] or 1),
                _scale(field["box"][3], page["height"] or 1),
            )
            inside = [
                i
                for i, (bx0, by0, bx1, by1) in enumerate(boxes)
                if pages[i] == field["page"]
                and x0 - 2 <= (bx0 + bx1) / 2 <= x1 + 2
                and y0 - 2 <= (by0 + by1) / 2 <= y1 + 2
            ]
            if inside:
                return inside
    for wanted in (field["printed"] if not field["corrected"] else None, field["final"]):
        if wanted:
            span = _find_words(_squash(str(wanted)), tokens)
            if span:
                return span
    return []


def _find_words(wanted: str, tokens: list[str]) -> list[int]:
    """The first run of consecutive words that spells `wanted` (ignoring case and spaces)."""
    squashed = [_squash(t) for t in tokens]
    for start in range(len(tokens)):
        text = ""
        for end in range(start, min(len(tokens), start + 30)):
            text += squashed[end]
            if text == wanted:
                return list(range(start, end + 1))
            if not wanted.startswith(text):
                break
    return []


def write_hf_folder(
    folder: Path, records: Iterable[dict[str, Any]], *, doc_type: str | None, summary_note: str
) -> dict[str, int]:
    """A folder the Hugging Face `datasets` library loads as it is: data/<split>.jsonl of token-labelled
    examples and a dataset card (README.md) whose YAML names the splits. Returns examples per split."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    handles = {split: (data / f"{split}.jsonl").open("w", encoding="utf-8") for split in ("train", "test")}
    counts = {"train": 0, "test": 0}
    labels: set[str] = set()
    try:
        for record in records:
            example = bio_example(record)
            labels.update(t[2:] for t in example["ner_tags"] if t != "O")
            handles[example["split"]].write(json.dumps(example, ensure_ascii=False) + "\n")
            counts[example["split"]] += 1
    finally:
        for handle in handles.values():
            handle.close()
    (folder / "README.md").write_text(_card(doc_type, counts, sorted(labels), summary_note), encoding="utf-8")
    return counts


def _card(doc_type: str | None, counts: dict[str, int], labels: list[str], note: str) -> str:
    splits = "\n".join(
        f"  - split: {split}\n    path: data/{split}.jsonl" for split in ("train", "test") if counts[split]
    )
    tags = ", ".join(f"B-{label}, I-{label}" for label in labels) or "(none)"
    return f"""---
configs:
- config_name: default
  data_files:
{splits}
task_categories:
- token-classification
pretty_name: docloop {doc_type or "documents"}
---
# docloop dataset: {doc_type or "all document types"}

Documents a person reviewed in docloop, exported as words with boxes and BIO tags (the FUNSD/LayoutLM
shape). Each example has `tokens`, `bboxes` (0-1000 per page), `pages`, `ner_tags` (O, {tags}), the final
field values in `fields`, and the fields that could be placed on the words in `placed`.

| split | examples |
| --- | ---: |
| train | {counts["train"]} |
| test | {counts["test"]} |

Splits are grouped by vendor: no vendor has documents on both sides. {note}

Load it with `datasets.load_dataset("path/to/this/folder")`.
"""
