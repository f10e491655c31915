"""`docloop recalibrate`: confidences fitted to what reviewers found, measured on held-out vendors,
registered as a model version an admin can promote; values served by another model are left out."""

from __future__ import annotations

from click.testing import CliRunner

from extractors.scoring import ScoringModel
from review_app.cli import main
from review_app.models import (
    DocumentStatus,
    Extraction,
    FieldStatus,
    FieldValue,
    ModelVersion,
)
from tests.helpers import seed_document

# Served confidence -> the share of such values reviewers kept: the served confidences claim 0.2 too much.
KEPT = {0.3: 0.1, 0.5: 0.3, 0.7: 0.5, 0.9: 0.7}


def _seed(runtime, count: int, strategy: str = "baseline", start: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Completed invoices with a reviewed vendor and total; every tenth document's kept/corrected pattern
    repeats, so each confidence level holds its share of kept totals within each vendor."""
    levels = sorted(KEPT)
    with runtime.session() as session:
        for n in range(start, start + count):
            document = seed_document(session, n, "invoice", DocumentStatus.COMPLETED)
            session.add(
                Extraction(document_id=document.id, extractor_version="t", strategy=strategy, route="review")
            )
            level = levels[n % len(levels)]
            kept = (n // len(levels)) % 10 < KEPT[level] * 10
            vendor = f"Vendor {n % 20} Ltd"
            session.add_all(
                [
                    FieldValue(
                        document_id=document.id,
                        name="vendor",
                        field_type="text",
                        value=vendor,
                        normalized=vendor,
                        confidence=0.99,
                        status=FieldStatus.APPROVED,
                        final_value=vendor,
                    ),
                    FieldValue(
                        document_id=document.id,
                        name="total",
                        field_type="amount",
                        value="10.00",
                        normalized="10.00",
                        confidence=level,
                        status=FieldStatus.APPROVED if kept else FieldStatus.CORRECTED,
                        final_value="10.00" if kept else "11.00",
                        corrected=not kept,
                    ),
                ]
            )


def test_recalibration_fits_confidences_to_reviews_and_registers_a_version(runtime):  # type: ignore[no-untyped-def]
    _seed(runtime, 400)
    # Another model's values, all kept at a low confidence: counted, they would pull the map up.
    _seed(runtime, 200, strategy="model:other", start=1000)
    result = CliRunner().invoke(main, ["recalibrate", "--doc-type", "invoice"])
    assert result.exit_code == 0, result.output
    assert "reviewed value(s)" in result.output and "total (400)" in result.output
    before, after = (
        float(x)
        for x in result.output.split("expected calibration error ")[1]
        .split(" recalibrated")[0]
        .split(" as served, ")
    )
    # Pooled with the vendors' values (kept, at 0.99): 0.2 too much on half the values.
    assert before > 0.08 and after < before / 2, result.output
    version_id = int(result.output.split("registered invoice model version ")[1].split(";")[0])
    with runtime.session() as session:
        version = session.get(ModelVersion, version_id)
        model = ScoringModel.from_json(version.artifact)
        assert version.trained_on["recalibrated_from"] == "default"
        assert version.trained_on["documents"] == 400 and version.trained_on["vendors"] == 20
    schema = runtime.schema("invoice")
    total = model.for_field(schema.field("total"))
    assert len(total.recalibrators) == 1
    # Served at 0.9, such totals were kept 7 times in 10: that is what the recalibrated model now says.
    assert abs(total.recalibrators[0](0.9) - 0.7) < 0.03
    # Served, the step comes after the confidence the model gave before.
    served = ScoringModel("invoice").for_field(schema.field("total")).confidence({}, 0.9)
    assert total.confidence({}, 0.9) == total.recalibrators[0](served)
    # The vendor was always kept: too one-sided to fit, it keeps its confidences.
    assert not model.for_field(schema.field("vendor")).recalibrators


def test_recalibration_needs_enough_reviews_and_a_dry_run_registers_nothing(runtime):  # type: ignore[no-untyped-def]
    _seed(runtime, 20)
    result = CliRunner().invoke(main, ["recalibrate", "--doc-type", "invoice"])
    assert result.exit_code != 0 and "enough reviewed values" in result.output
    _seed(runtime, 200, start=20)
    result = CliRunner().invoke(main, ["recalibrate", "--doc-type", "invoice", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "registered" not in result.output
    with runtime.session() as session:
        assert session.query(ModelVersion).count() == 0


def test_the_sweeper_registers_a_recalibration_once_until_more_reviews_come_in(runtime, redis):  # type: ignore[no-untyped-def]
    from review_app.services.sweeper import sweep

    key = f"docloop:{runtime.settings.queue_name}:recalibrated"
    _seed(runtime, 400)
    sweep(runtime)
    with runtime.session() as session:
        versions = session.query(ModelVersion).all()
        assert [v.trained_on["recalibrated_from"] for v in versions] == ["default"]
        assert versions[0].trained_on["held_out_ece_after"] < versions[0].trained_on["held_out_ece_before"]
    redis.delete(key)  # the period is over
    sweep(runtime)  # no review since: nothing new to fit
    with runtime.session() as session:
        assert session.query(ModelVersion).count() == 1
    _seed(runtime, 80, start=400)
    sweep(runtime)  # within the period: the sweeper waits
    with runtime.session() as session:
        assert session.query(ModelVersion).count() == 1
    redis.delete(key)
    sweep(runtime)
    with runtime.session() as session:
        assert session.query(ModelVersion).count() == 2
