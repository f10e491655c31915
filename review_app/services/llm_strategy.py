"""An optional strategy that asks a large language model through any OpenAI-compatible chat endpoint, so a
team with a model can measure it beside retrieval and fine-tuning on the same documents (off by default:
DOCLOOP_LLM_URL is empty)."""

from __future__ import annotations

import json
import logging
from typing import Any

import requests

from extractors.extract import EXTRACTOR_VERSION
from extractors.normalize import normalize
from extractors.schema import Schema
from extractors.types import Extraction, FieldResult, Page
from extractors.validate import consequences, validate
from review_app.services.dataset_formats import words_as_text
from review_app.settings import Settings

log = logging.getLogger(__name__)
# A language model states no calibrated confidence: its values are routed to a person until docloop
# evaluate has measured how far they can be trusted.
LLM_CONFIDENCE = 0.5
SYSTEM_PROMPT = (
    "You read one {doc_type} and extract its fields. Answer with one JSON object and nothing else, with "
    "exactly these keys: {fields}. Give each value as printed on the document, or null when it is absent."
)


def page_text(pages: tuple[Page, ...]) -> str:
    """The pages' words as text, as the chat export writes them."""
    return words_as_text([(w.text, w.box[1], w.box[3]) for w in page.words] for page in pages)


class LLMStrategy:
    """Fields from a chat completion; it does not learn from corrections."""

    name = "llm"

    def __init__(self, settings: Settings) -> None:
        if not settings.llm_url:
            raise ValueError("DOCLOOP_LLM_URL is not set: the LLM strategy is off")
        self.url = settings.llm_url.rstrip("/") + "/chat/completions"
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout_seconds
        self.headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
        self.session = requests.Session()

    def extract(self, pages: tuple[Page, ...], schema: Schema) -> Extraction:
        """Ask the model; an unreachable or unreadable answer leaves every field empty and flagged."""
        names = [spec.name for spec in schema.fields]
        try:
            answer = self._ask(schema, names, page_text(pages))
            flags: tuple[str, ...] = ()
        except (requests.RequestException, ValueError, KeyError, IndexError, TypeError) as e:
            log.warning("LLM strategy: no usable answer from %s: %s", self.url, e)
            answer, flags = {}, ("llm_unavailable",)
        results = []
        for spec in schema.fields:
            raw = answer.get(spec.name)
            text = json.dumps(raw, separators=(",", ":")) if isinstance(raw, list | dict) else raw
            text = str(text).strip() if text is not None else None
            normalized = (
                None
                if not text
                else text
                if spec.type in {"table", "pairs"}
                else normalize(
                    spec.type, text, date_order="DMY" if schema.date_order == "auto" else schema.date_order
                )
            )
            results.append(
                FieldResult(
                    name=spec.name,
                    type=spec.type,
                    value=text or None,
                    normalized=normalized,
                    confidence=LLM_CONFIDENCE if normalized is not None else 0.0,
                    cues=("llm",),
                    flags=flags,
                )
            )
        values = {r.name: r.normalized for r in results}
        return Extraction(
            doc_type=schema.name,
            fields=tuple(results),
            issues=tuple(validate(schema, values)),
            high_consequence=tuple(rule.name for rule in consequences(schema, values, None)),
            extractor_version=EXTRACTOR_VERSION,
            strategy=f"llm:{self.model}"[:32],
        )

    def _ask(self, schema: Schema, names: list[str], text: str) -> dict[str, Any]:
        body = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {
                    "role": "system",
                    "content": SYSTEM_PROMPT.format(doc_type=schema.name, fields=", ".join(names)),
                },
                {"role": "user", "content": text},
            ],
        }
        response = self.session.post(self.url, json=body, headers=self.headers, timeout=self.timeout)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        answer = json.loads(content)
        if not isinstance(answer, dict):
            raise ValueError("the answer is not a JSON object")
        return answer

    def learn(self, pages: tuple[Page, ...], schema: Schema, final: dict[str, str | None]) -> None:
        """A prompted model keeps no memory of corrections."""
