"""The model registry: register fitted models as versions, promote one per document type, roll back to the
one before; workers serve whatever is promoted."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extractors.scoring import ScoringModel
from review_app.exceptions import Conflict, NotFound, ValidationFailed
from review_app.models import ModelPromotion, ModelVersion


def register(
    session: Session, doc_type: str, artifact: dict[str, Any], *, trained_on: dict[str, Any], by: str
) -> ModelVersion:
    """Store a fitted model as a new version (not yet serving)."""
    if artifact.get("doc_type") != doc_type:
        raise ValidationFailed(
            f"The model is for '{artifact.get('doc_type')}', not '{doc_type}'.", code="model_type_mismatch"
        )
    ScoringModel.from_json(artifact)  # refuse what the extractors could not load
    text = json.dumps(artifact, sort_keys=True, separators=(",", ":"))
    version = ModelVersion(
        doc_type=doc_type,
        label=str(artifact.get("version", "unnamed"))[:128],
        artifact=artifact,
        trained_on=trained_on,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        created_by=by,
    )
    session.add(version)
    session.flush()
    return version


def _history(session: Session, doc_type: str) -> list[ModelPromotion]:
    return list(
        session.scalars(
            select(ModelPromotion)
            .where(ModelPromotion.doc_type == doc_type)
            .order_by(ModelPromotion.id.desc())
        )
    )


def serving_version_id(session: Session, doc_type: str) -> int | None:
    """The version in production for a type (None: the model shipped with docloop)."""
    history = _history(session, doc_type)
    return history[0].model_version_id if history else None


def promote(session: Session, version_id: int, by: str) -> ModelPromotion:
    """Put a version in production for its type."""
    version = session.get(ModelVersion, version_id)
    if version is None:
        raise NotFound(f"No model version {version_id}.", code="model_not_found")
    if serving_version_id(session, version.doc_type) == version.id:
        raise Conflict(f"Version {version_id} already serves {version.doc_type}.", code="already_serving")
    promotion = ModelPromotion(
        doc_type=version.doc_type, model_version_id=version.id, action="promote", by=by
    )
    session.add(promotion)
    session.flush()
    return promotion


def rollback(session: Session, doc_type: str, by: str) -> ModelPromotion:
    """Serve again what served before the current promotion (the shipped model if nothing did)."""
    # Promotions stack up and each rollback takes the top one off, so rolling back twice goes two steps
    # back, never to and fro between the last two.
    stack: list[int | None] = []
    for step in reversed(_history(session, doc_type)):
        if step.action == "promote":
            stack.append(step.model_version_id)
        elif stack:
            stack.pop()
    if not stack:
        raise Conflict(
            f"{doc_type} is served by the shipped model: nothing to roll back.", code="nothing_to_roll_back"
        )
    stack.pop()
    earlier = stack[-1] if stack else None
    promotion = ModelPromotion(doc_type=doc_type, model_version_id=earlier, action="rollback", by=by)
    session.add(promotion)
    session.flush()
    return promotion


@dataclass(frozen=True)
class Serving:
    """What serves one type now: a registered version (with its model) or the shipped one."""

    doc_type: str
    version_id: int | None
    model: ScoringModel | None


def serving_models(session: Session, known: dict[str, int | None]) -> dict[str, Serving]:
    """The promoted model of every type whose promotion differs from `known` (type -> version id a worker
    already holds); cheap when nothing changed: one query over the promotions."""
    newest = (
        select(ModelPromotion.doc_type, func.max(ModelPromotion.id).label("last"))
        .group_by(ModelPromotion.doc_type)
        .subquery()
    )
    rows = session.execute(
        select(ModelPromotion.doc_type, ModelPromotion.model_version_id).join(
            newest, ModelPromotion.id == newest.c.last
        )
    ).all()
    changed: dict[str, Serving] = {}
    for doc_type, version_id in rows:
        if known.get(doc_type) == version_id:
            continue
        version = session.get(ModelVersion, version_id) if version_id else None
        model = ScoringModel.from_json(version.artifact) if version else None
        changed[doc_type] = Serving(doc_type, version_id, model)
    return changed


def versions(session: Session, doc_type: str | None = None) -> list[ModelVersion]:
    """Registered versions, newest first."""
    query = select(ModelVersion).order_by(ModelVersion.id.desc())
    if doc_type:
        query = query.where(ModelVersion.doc_type == doc_type)
    return list(session.scalars(query))


def history(session: Session, doc_type: str) -> list[ModelPromotion]:
    """Every promotion and rollback of a type, newest first."""
    return _history(session, doc_type)
