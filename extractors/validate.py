"""Check extracted values against a schema's rules and decide whether consequence rules fire."""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from extractors.schema import ConsequenceRule, Rule, Schema
from extractors.types import ValidationIssue

OPS: dict[str, Callable[[object, object], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def typed_value(field_type: str, value: str | None) -> object | None:
    """A comparable Python value (Decimal, date) from a normalised string; None if absent or unparsable."""
    if value is None or value == "":
        return None
    try:
        if field_type == "amount":
            return Decimal(value)
        if field_type == "date":
            return date.fromisoformat(value)
    except (InvalidOperation, ValueError):
        return None
    return value


def validate(
    schema: Schema, values: Mapping[str, str | None], today: date | None = None
) -> list[ValidationIssue]:
    """Every rule the values break (rules whose fields are missing are not judged)."""
    today = today or date.today()
    typed = {spec.name: typed_value(spec.type, values.get(spec.name)) for spec in schema.fields}
    issues = []
    for rule in schema.rules:
        broken = _check(rule, typed, values, today)
        if broken:
            issues.append(ValidationIssue(rule=rule.name, fields=broken, message=rule.message))
    return issues


def _check(
    rule: Rule, typed: dict[str, object | None], raw: Mapping[str, str | None], today: date
) -> tuple[str, ...]:
    p = rule.params
    if rule.kind == "compare":
        left, right = typed.get(p["left"]), typed.get(p["right"])
        if left is None or right is None or type(left) is not type(right):
            return ()
        return () if OPS[p["op"]](left, right) else (p["left"], p["right"])
    if rule.kind == "sum":
        parts = [typed.get(name) for name in p["parts"]]
        total = typed.get(p["total"])
        if total is None or any(v is None for v in parts):
            return ()
        tolerance = Decimal(str(p.get("tolerance", 0.01)))
        return () if abs(sum(parts) - total) <= tolerance else (*p["parts"], p["total"])  # type: ignore[arg-type]
    if rule.kind == "date_range":
        value = typed.get(p["field"])
        if not isinstance(value, date):
            return ()
        earliest = date.fromisoformat(p.get("not_before", "1900-01-01"))
        latest = today + timedelta(days=int(p.get("max_days_ahead", 3650)))
        return () if earliest <= value <= latest else (p["field"],)
    if rule.kind == "pattern":
        value = raw.get(p["field"])
        if value is None:
            return ()
        return () if re.fullmatch(p["regex"], value) else (p["field"],)
    if rule.kind == "line_items_sum":
        items, total = raw.get(p["field"]), typed.get(p["total"])
        if not items or total is None:
            return ()
        try:
            amounts = [Decimal(row["amount"]) for row in json.loads(items) if row.get("amount")]
        except (ValueError, TypeError, KeyError, InvalidOperation):
            return (p["field"],)
        if not amounts:
            return ()
        tolerance = Decimal(str(p.get("tolerance", 0.01)))
        return () if abs(sum(amounts) - total) <= tolerance else (p["field"], p["total"])  # type: ignore[operator]
    return ()


def consequences(
    schema: Schema, values: Mapping[str, str | None], overrides: Mapping[str, float] | None = None
) -> list[ConsequenceRule]:
    """The consequence rules that fire; `overrides` may replace a rule's threshold by its name."""
    fired = []
    for rule in schema.consequences:
        spec = schema.field(rule.field)
        value = typed_value(spec.type if spec else "text", values.get(rule.field))
        if value is None:
            continue
        limit = (overrides or {}).get(rule.name, rule.value)
        try:
            if OPS[rule.op](float(value), float(limit)):  # type: ignore[arg-type]
                fired.append(rule)
        except (TypeError, ValueError):
            continue
    return fired
