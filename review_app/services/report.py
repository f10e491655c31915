"""The dashboard's figures as a Markdown report with its charts as PNG images, for people who read email."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server
import matplotlib.pyplot as plt

from review_app.services.dashboard import Period

_SPAN = re.compile(r"^(\d+)([dw])$")


def parse_since(text: str) -> int:
    """Days in a span written like `30d` or `12w`."""
    match = _SPAN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a span such as 30d or 12w")
    amount, unit = int(match.group(1)), match.group(2)
    return amount * (7 if unit == "w" else 1)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def write_report(data: dict[str, Any], period: Period, out_dir: Path) -> Path:
    """Write `report.md` and its charts into `out_dir`; returns the Markdown file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = _charts(data, out_dir)
    volume, audit, saved, queue = data["volume"], data["audit"], data["time_saved"], data["queue"]
    interval = audit["field_error_interval_95"]
    lines = [
        f"# docloop report: {period.since:%Y-%m-%d} to {period.until:%Y-%m-%d}"
        + (f", {period.doc_type}" if period.doc_type else ""),
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| documents | {volume['documents']} |",
        f"| went straight through | {_percent(volume['straight_through_rate'])} |",
        f"| waiting for review now | {queue['depth']} ({queue['past_due']} past due) |",
        f"| error rate of auto-approved fields (audit of {audit['fields']} fields) | "
        f"{_percent(audit['field_error_rate'])}"
        + (f" (95% interval {_percent(interval[0])}–{_percent(interval[1])})" if interval else "")
        + " |",
        f"| expected calibration error | {data['reliability']['expected_calibration_error'] or 0:.3f} |",
        f"| time saved | {saved['saved_hours']} h, worth {saved['saved_money']} {saved['currency']} |",
        "",
        f"Assumptions: {saved['assumptions']}",
        "",
    ]
    if data.get("alerts"):
        lines += ["## Quality alerts", ""] + [f"- {a['week']}: {a['message']}" for a in data["alerts"]] + [""]
    lines += ["## Charts", ""] + [f"![{title}]({name})" for title, name in charts] + [""]
    lines += [
        "## Fields",
        "",
        "| field | reviewed | corrected | correction rate |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {f['field']} | {f['reviewed']} | {f['corrected']} | {_percent(f['correction_rate'])} |"
        for f in data["fields"]
    ]
    lines += ["", "## Reviewers", "", "| reviewer | tasks | median handling time |", "| --- | ---: | ---: |"]
    lines += [
        f"| {r['reviewer']} | {r['tasks']} | {r['median_handling_seconds']:.0f} s |"
        for r in data["reviewers"]
    ]
    report = out_dir / "report.md"
    report.write_text("\n".join(lines) + "\n")
    return report


def _charts(data: dict[str, Any], out_dir: Path) -> list[tuple[str, str]]:
    written = []
    days = data["volume"]["days"]
    labels = [d["day"][5:] for d in days]

    figure, axes = plt.subplots(figsize=(8, 3.5))
    bottom = [0] * len(days)
    for key in ("straight_through", "reviewed", "in_review", "rejected", "failed"):
        values = [d[key] for d in days]
        axes.bar(labels, values, bottom=bottom, label=key.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title("Documents per day by outcome")
    axes.legend(fontsize=7)
    axes.tick_params(axis="x", labelrotation=90, labelsize=6)
    written.append(_save(figure, out_dir, "volume.png", "Documents per day by outcome"))

    figure, axes = plt.subplots(figsize=(8, 3))
    axes.plot(labels, [d["straight_through_rate"] for d in days], marker="o")
    axes.set_ylim(0, 1)
    axes.set_title("Straight-through rate per day")
    axes.tick_params(axis="x", labelrotation=90, labelsize=6)
    written.append(_save(figure, out_dir, "straight-through.png", "Straight-through rate per day"))

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    bins = data["reliability"]["bins"]
    axes.plot([0, 1], [0, 1], color="grey", linewidth=1, label="perfect calibration")
    axes.scatter([b["mean_confidence"] for b in bins], [b["accuracy"] for b in bins], label="observed")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("confidence")
    axes.set_ylabel("accuracy")
    axes.set_title("Reliability")
    axes.legend(fontsize=7)
    written.append(_save(figure, out_dir, "reliability.png", "Reliability: confidence against accuracy"))
    return written


def _save(figure: Any, out_dir: Path, name: str, title: str) -> tuple[str, str]:
    figure.tight_layout()
    figure.savefig(out_dir / name, dpi=100)
    plt.close(figure)
    return title, name
