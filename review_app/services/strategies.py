"""Extraction strategies: how fields are chosen, and how each learns from confirmed values."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Protocol

from extractors.extract import extract, locate
from extractors.memory import Memory, MemoryEntry, build_entry
from extractors.schema import Schema
from extractors.scoring import ScoringModel, load_model, reading_kind
from extractors.types import Extraction, Page

if TYPE_CHECKING:
    from extractors.learning import LabelledPages


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
        # A model given by type (a promoted or freshly fitted one) serves every reading of that type.
        self._models = dict(models or {})
        self._shipped: dict[tuple[str, str], ScoringModel] = {}
        self._overrides = consequence_overrides or {}

    def model(self, doc_type: str, reading: str = "text") -> ScoringModel:
        """The scoring model for a document type and how its pages were read (loaded once)."""
        if doc_type in self._models:
            return self._models[doc_type]
        key = (doc_type, reading)
        if key not in self._shipped:
            self._shipped[key] = load_model(doc_type, reading)
        return self._shipped[key]

    def use_model(self, doc_type: str, model: ScoringModel | None) -> None:
        """Serve `model` for a type from now on (None: the shipped model again)."""
        if model is None:
            self._models.pop(doc_type, None)
        else:
            self._models[doc_type] = model

    memory: Memory | None = None

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Fields of one document with the scoring model of its type and reading."""
        model = self.model(schema.name, reading_kind(pages))
        return extract(pages, schema, model, consequence_overrides=self._overrides, memory=self.memory)

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
        # Imported where a strategy learns: scikit-learn costs every other command (an export) 50 MiB.
        from extractors.learning import LabelledPages

        self._examples[schema.name].append(LabelledPages(pages, dict(final), vendor_key(schema, final)))

    def fit(self, schema: Schema) -> ScoringModel:
        """Refit now on every example of this type."""
        from extractors.learning import fit_model

        examples = self._examples[schema.name]
        model = fit_model(
            examples, schema, version=f"trained-{len(examples)}", base=ScoringModel(schema.name)
        )
        self._models[schema.name] = model
        self._fitted_on[schema.name] = len(examples)
        return model

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Fields with the model fitted so far (refitted every `refit_every` new examples)."""
        pending = len(self._examples[schema.name]) - self._fitted_on[schema.name]
        if self._examples[schema.name] and (self._fitted_on[schema.name] == 0 or pending >= self.refit_every):
            self.fit(schema)
        return super().extract(pages, schema)


class RetrievalStrategy(BaselineStrategy):
    """The shipped model plus a memory of confirmed documents: each confirmation is usable by the next
    document at once, with no retraining."""

    name = "retrieval"

    def __init__(
        self,
        models: dict[str, ScoringModel] | None = None,
        consequence_overrides: dict[str, float] | None = None,
        memory: Memory | None = None,
    ) -> None:
        super().__init__(models=models, consequence_overrides=consequence_overrides)
        self.memory = memory if memory is not None else Memory()
        self._count = 0

    def learn(self, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]) -> None:
        """Remember the confirmed document."""
        self._count += 1
        self.memory.add(memory_entry(f"learned-{self._count}", pages, schema, final))


def memory_entry(
    key: str, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]
) -> MemoryEntry:
    """The memory entry of a confirmed document (where each confirmed value stood is located on its pages)."""
    return build_entry(
        key, pages, schema.name, vendor_key(schema, final), final, locate(pages, schema, final)
    )


STRATEGIES: dict[str, type[BaselineStrategy]] = {
    "baseline": BaselineStrategy,
    "retrieval": RetrievalStrategy,
    "trained": TrainedStrategy,
}
