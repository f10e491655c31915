"""Extraction strategies: how fields are chosen, and how each learns from confirmed values."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Protocol

from extractors.extract import extract
from extractors.learning import LabelledPages, fit_model
from extractors.schema import Schema
from extractors.scoring import ScoringModel, load_model
from extractors.types import Extraction, Page


class Strategy(Protocol):
    """How fields are extracted, and how it learns from confirmed values (reviews, --train, --replay)."""

    name: str

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Fields of one document."""
        ...

    def learn(self, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]) -> None:
        """Take in one document's confirmed values."""
        ...


def vendor_key(schema: Schema, values: dict[str, str | None]) -> str:
    """The vendor a document belongs to (its vendor field, squashed), used to group and split by vendor."""
    for spec in schema.fields:
        if spec.finder == "vendor" and values.get(spec.name):
            return re.sub(r"[^A-Z0-9]", "", (values[spec.name] or "").upper())
    return ""


class BaselineStrategy:
    """The shipped (or promoted) scoring model; it does not learn from feedback."""

    name = "baseline"

    def __init__(
        self,
        models: dict[str, ScoringModel] | None = None,
        consequence_overrides: dict[str, float] | None = None,
    ) -> None:
        self._models = dict(models or {})
        self._overrides = consequence_overrides or {}

    def model(self, doc_type: str) -> ScoringModel:
        """The scoring model of a document type (loaded once)."""
        if doc_type not in self._models:
            self._models[doc_type] = load_model(doc_type)
        return self._models[doc_type]

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Fields of one document with the scoring model of its type."""
        return extract(pages, schema, self.model(schema.name), consequence_overrides=self._overrides)

    def learn(self, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]) -> None:
        """The baseline keeps its model as it is."""


class TrainedStrategy(BaselineStrategy):
    """Fits its own ranker and confidence model on the confirmed documents it was given."""

    name = "trained"

    def __init__(self, consequence_overrides: dict[str, float] | None = None, refit_every: int = 50) -> None:
        super().__init__(consequence_overrides=consequence_overrides)
        self.refit_every = refit_every
        self._examples: dict[str, list[LabelledPages]] = defaultdict(list)
        self._fitted_on: dict[str, int] = defaultdict(int)

    def learn(self, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]) -> None:
        """Keep the document as a training example; the model is refitted in batches."""
        self._examples[schema.name].append(LabelledPages(pages, dict(final), vendor_key(schema, final)))

    def fit(self, schema: Schema) -> ScoringModel:
        """Refit now on every example of this type."""
        examples = self._examples[schema.name]
        model = fit_model(examples, schema, version=f"trained-{len(examples)}", base=load_model(schema.name))
        self._models[schema.name] = model
        self._fitted_on[schema.name] = len(examples)
        return model

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Fields with the model fitted so far (refitted every `refit_every` new examples)."""
        pending = len(self._examples[schema.name]) - self._fitted_on[schema.name]
        if self._examples[schema.name] and (self._fitted_on[schema.name] == 0 or pending >= self.refit_every):
            self.fit(schema)
        return super().extract(pages, schema)
