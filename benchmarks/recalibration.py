"""Does recalibration carry to vendors it was not fitted on? Measured on eval predictions.

    docloop eval DIR --doc-type TYPE [--model MODEL.json] --predictions p.jsonl
    python benchmarks/recalibration.py --doc-type TYPE p.jsonl DIR

The labels stand in for reviews: a predicted value that matches its label is one a reviewer would have
kept. As `docloop recalibrate` does with the database's reviewed values, the vendors are split the same
stable way (30% held out), per-field maps (`extractors.recalibration`) are fitted on the rest, and the
held-out vendors' expected calibration error and automation at <= 1% error are reported as served and
recalibrated. A model file whose `fields` is empty (`{"doc_type": "receipt", "version": "default",
"fields": {}}`) serves hand-set weights, as a new document type has before any model is fitted.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the repository on the import path)

from extractors.compare import values_match
from extractors.recalibration import Outcome, recalibrate, recalibrated_confidence
from extractors.schema import load_schemas
from extractors.scoring import ScoringModel
from review_app.evaluation.runner import expected_values
from review_app.services.recalibration import held_out, measure
from review_app.services.strategies import vendor_key


def outcomes(predictions: Path, folder: Path, doc_type: str) -> tuple[list[Outcome], list[str]]:
    """One outcome per labelled field the predictions gave a value for, and its vendor group."""
    schema = load_schemas()[doc_type]
    found, groups = [], []
    for line in predictions.read_text().splitlines():
        record = json.loads(line)
        expected = expected_values(schema, json.loads((folder / f"{record['stem']}.json").read_text()))
        vendor = vendor_key(schema, expected)
        for name, want in expected.items():
            field = record["fields"].get(name) or {}
            spec = schema.field(name)
            if spec is None or field.get("value") is None:
                continue
            right = values_match(spec.type, field["value"], want)
            found.append(Outcome(name, float(field["confidence"]), right))
            groups.append(vendor or record["stem"])
    return found, groups


def main() -> None:
    """Fit on the vendors the split keeps, measure on those it holds out."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--doc-type", required=True)
    parser.add_argument("predictions", type=Path)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    schema = load_schemas()[args.doc_type]
    base = ScoringModel(args.doc_type)
    found, groups = outcomes(args.predictions, args.folder, args.doc_type)
    fit = [o for o, g in zip(found, groups, strict=True) if not held_out(g)]
    test = [o for o, g in zip(found, groups, strict=True) if held_out(g)]
    model, fitted = recalibrate(base, schema, fit, version="benchmark")
    print(
        f"fitted on {len(fit)} values: {', '.join(f'{n} ({c})' for n, c in sorted(fitted.items())) or 'none'}"
    )
    print(f"held-out vendors: {len(test)} values, {sum(o.right for o in test)} right")
    served = [o.confidence for o in test]
    after = [recalibrated_confidence(model, schema, o, base) for o in test]
    for name, confidences in (("as served", served), ("recalibrated", after)):
        ece, automation = measure(test, confidences)
        print(
            f"  {name:13s} calibration error {ece or 0:.3f}, automation at <= 1% error {automation or 0:.1%}"
        )


if __name__ == "__main__":
    main()
