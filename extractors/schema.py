"""Document types as data: one TOML file per type names its fields, rules and consequence rules."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.context import PAGE_SEGMENTATION_KINDS
from extractors.exceptions import SchemaError, UnknownDocumentType

BUILTIN_DIR = Path(__file__).parent / "schemas"
FIELD_TYPES = {"text", "date", "amount", "identifier", "currency", "address", "table", "pairs"}
RULE_KINDS = {"sum", "compare", "date_range", "line_items_sum", "pattern"}
COMPARISON_OPS = {"<", "<=", ">", ">=", "==", "!="}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a document type."""

    name: str
    type: str
    required: bool = False
    threshold: float = 0.9
    labels: tuple[str, ...] = ()
    exclude_labels: tuple[str, ...] = ()
    finder: str = ""  # a named layout finder (vendor, address, line_items, key_value); empty: by type
    pattern: str = ""  # optional regex a value must match
    prefer: str = ""  # "bottom" | "top" | "largest": a tie-breaker cue for repeated values
    columns: tuple[str, ...] = ()
    label_required: bool = False  # only a value one of the labels names (a due date is no unlabelled date)


@dataclass(frozen=True)
class Rule:
    """A validation rule across fields (sums, comparisons, date ranges, patterns)."""

    name: str
    kind: str
    params: dict[str, Any]
    message: str


@dataclass(frozen=True)
class ConsequenceRule:
    """A condition that makes a document high-consequence (a second reviewer must approve)."""

    name: str
    field: str
    op: str
    value: float
    message: str


@dataclass(frozen=True)
class Schema:
    """A document type: its fields in display order, its rules and its consequence rules."""

    name: str
    title: str
    version: int
    fields: tuple[FieldSpec, ...]
    rules: tuple[Rule, ...] = ()
    consequences: tuple[ConsequenceRule, ...] = ()
    date_order: str = "DMY"
    # How OCR finds the text: one block of lines, or "sparse" (columns, boxes).
    ocr_segmentation: str = "block"
    kind: str = "fields"
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def field(self, name: str) -> FieldSpec | None:
        """The spec of field `name`, if any."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def parse_schema(document: dict[str, Any], source: str = "") -> Schema:
    """Build a Schema from parsed TOML, with errors that name the file and the offending entry."""
    where = source or "schema"
    name = document.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise SchemaError(f"{where}: 'name' must be an identifier such as 'receipt'.")
    fields_raw = document.get("fields")
    if not isinstance(fields_raw, list) or not fields_raw:
        raise SchemaError(f"{where}: at least one [[fields]] entry is required.")
    specs = []
    for entry in fields_raw:
        spec = _parse_field(entry, where)
        if any(s.name == spec.name for s in specs):
            raise SchemaError(f"{where}: field '{spec.name}' is declared twice.")
        specs.append(spec)
    names = {s.name for s in specs}
    rules = tuple(_parse_rule(r, where, names) for r in document.get("rules", []))
    consequences = tuple(_parse_consequence(c, where, names) for c in document.get("consequence", []))
    date_order = document.get("date_order", "DMY")
    if date_order not in {"DMY", "MDY", "auto"}:
        raise SchemaError(f"{where}: date_order must be DMY, MDY or auto.")
    segmentation = document.get("ocr_segmentation", "block")
    if segmentation not in PAGE_SEGMENTATION_KINDS:
        raise SchemaError(f"{where}: ocr_segmentation must be one of {', '.join(PAGE_SEGMENTATION_KINDS)}.")
    return Schema(
        name=name,
        title=document.get("title", name.title()),
        version=int(document.get("version", 1)),
        fields=tuple(specs),
        rules=rules,
        consequences=consequences,
        date_order=date_order,
        ocr_segmentation=segmentation,
        kind=document.get("kind", "fields"),
        source=source,
        raw=document,
    )


def _parse_field(entry: Any, where: str) -> FieldSpec:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise SchemaError(f"{where}: every [[fields]] entry needs a 'name'.")
    name = entry["name"]
    field_type = entry.get("type", "text")
    if field_type not in FIELD_TYPES:
        raise SchemaError(
            f"{where}: field '{name}' has unknown type '{field_type}' "
            f"(known: {', '.join(sorted(FIELD_TYPES))})."
        )
    threshold = float(entry.get("threshold", 0.9))
    if not 0 <= threshold <= 1:
        raise SchemaError(f"{where}: field '{name}' threshold must be between 0 and 1.")
    return FieldSpec(
        name=name,
        type=field_type,
        required=bool(entry.get("required", False)),
        threshold=threshold,
        labels=tuple(s.lower() for s in entry.get("labels", [])),
        exclude_labels=tuple(s.lower() for s in entry.get("exclude_labels", [])),
        finder=entry.get("finder", ""),
        pattern=entry.get("pattern", ""),
        prefer=entry.get("prefer", ""),
        columns=tuple(entry.get("columns", [])),
        label_required=bool(entry.get("label_required", False)),
    )


def _parse_rule(entry: dict[str, Any], where: str, names: set[str]) -> Rule:
    kind = entry.get("kind")
    rule_name = entry.get("name", kind)
    if kind not in RULE_KINDS:
        raise SchemaError(f"{where}: rule '{rule_name}' has unknown kind '{kind}'.")
    params = {k: v for k, v in entry.items() if k not in {"name", "kind", "message"}}
    referenced = [params.get(k) for k in ("left", "right", "field", "total")] + list(params.get("parts", []))
    for ref in referenced:
        if isinstance(ref, str) and ref not in names:
            raise SchemaError(f"{where}: rule '{rule_name}' refers to unknown field '{ref}'.")
    if kind == "compare" and params.get("op") not in COMPARISON_OPS:
        raise SchemaError(f"{where}: rule '{rule_name}' needs op, one of {sorted(COMPARISON_OPS)}.")
    return Rule(name=rule_name, kind=kind, params=params, message=entry.get("message", rule_name))


def _parse_consequence(entry: dict[str, Any], where: str, names: set[str]) -> ConsequenceRule:
    name = entry.get("name", "consequence")
    if entry.get("field") not in names:
        raise SchemaError(f"{where}: consequence '{name}' refers to unknown field '{entry.get('field')}'.")
    if entry.get("op") not in COMPARISON_OPS:
        raise SchemaError(f"{where}: consequence '{name}' needs op, one of {sorted(COMPARISON_OPS)}.")
    return ConsequenceRule(
        name=name,
        field=entry["field"],
        op=entry["op"],
        value=float(entry.get("value", 0)),
        message=entry.get("message", name),
    )


def load_schema_file(path: Path) -> Schema:
    """Parse one schema file."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SchemaError(f"{path}: cannot be read as TOML: {e}") from e
    return parse_schema(document, source=str(path))


def load_schemas(extra_dirs: Iterable[Path] = ()) -> dict[str, Schema]:
    """Built-in schemas, overridden or extended by *.toml files in `extra_dirs`."""
    schemas: dict[str, Schema] = {}
    for directory in (BUILTIN_DIR, *extra_dirs):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            schema = load_schema_file(path)
            schemas[schema.name] = schema
    return schemas


def get_schema(schemas: dict[str, Schema], name: str) -> Schema:
    """The schema named `name`, or a clear error listing the known types."""
    try:
        return schemas[name]
    except KeyError:
        raise UnknownDocumentType(
            f"Unknown document type '{name}'; known types: {', '.join(sorted(schemas))}."
        ) from None
