"""How far a perfect choice among the extractor's candidates could go: the share of documents, per field,
where some candidate carries the labelled value (strictly, as `docloop eval` compares).

The gap between this ceiling and `docloop eval`'s F1 is the ranker's; the gap between the ceiling and 1 is
the reading's (OCR) and the labels' (values typed differently from what is printed).

    python benchmarks/candidate_ceiling.py ../shared/data/sroie-dev --doc-type receipt --words-only
    python benchmarks/candidate_ceiling.py DIR --doc-type receipt --ocr-cache CACHE   # DIR: scans + labels
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from extractors.compare import values_match
from extractors.extract import anchor_name, candidates_for
from extractors.view import DocumentView
from review_app.evaluation.loading import load_items
from review_app.evaluation.runner import labelled_examples
from review_app.runtime import get_runtime


def main() -> None:
    """Print the per-field and micro ceiling of a labelled folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--doc-type", default="receipt")
    parser.add_argument("--words-only", action="store_true")
    parser.add_argument("--ocr-cache", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    runtime = get_runtime()
    schema = runtime.schema(args.doc_type)
    items = load_items(
        args.folder,
        args.doc_type,
        runtime.read_context_for(args.doc_type),
        words_only=args.words_only,
        jobs=args.jobs,
        cache_dir=args.ocr_cache,
    )
    examples = labelled_examples(items, schema)
    found: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    for example in examples:
        view = DocumentView(example.pages, date_order_hint=schema.date_order)
        for spec in schema.fields:
            if spec.name not in example.expected or spec.finder in {"line_items", "key_value"}:
                continue
            want = example.expected[spec.name]
            labelled[spec.name] += 1
            candidates = candidates_for(view, spec)
            right = next((c for c in candidates if values_match(spec.type, c.normalized, want)), None)
            if right is not None:
                found[spec.name] += 1
                # Later finders anchor on earlier fields, as they would on a right choice.
                view.chosen[anchor_name(spec)] = right
    print(f"{len(examples)} documents of {args.folder}; a right candidate exists for:")
    for name in labelled:
        print(f"  {name:<12}{found[name] / labelled[name]:.3f}  ({found[name]} of {labelled[name]})")
    print(f"  {'micro':<12}{sum(found.values()) / sum(labelled.values()):.3f}")


if __name__ == "__main__":
    main()
