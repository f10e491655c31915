"""The `docloop evaluate` report as files: JSON (every figure), Markdown and HTML with PNG charts."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers
import matplotlib.pyplot as plt


def add_costs(result: dict[str, Any], cost_per_hour: float, currency: str) -> None:
    """Cost per 1,000 documents from each strategy's measured latency at a stated compute price."""
    result["cost_assumption"] = (
        f"One worker process costs {cost_per_hour:g} {currency} per hour of compute; cost per 1,000 "
        "documents is the measured extraction latency at that price (reading and OCR are the same for "
        "every strategy and left out)."
    )
    for row in result["strategies"]:
        row["cost_per_1000_documents"] = round(
            row["latency_ms_per_document"] / 3_600_000 * cost_per_hour * 1000, 6
        )
        row["currency"] = currency


def write_report(result: dict[str, Any], out_dir: Path, command: str) -> list[Path]:
    """report.json, report.md, report.html and the charts they show; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {**result, "command": command}
    charts = [_learning_curve(result, out_dir), _per_field(result, out_dir), _reliability(result, out_dir)]
    paths = [out_dir / "report.json", out_dir / "report.md", out_dir / "report.html", *charts]
    paths[0].write_text(json.dumps(result, indent=2))
    paths[1].write_text(_markdown(result, charts))
    paths[2].write_text(_html(result, charts))
    return paths


def _learning_curve(result: dict[str, Any], out_dir: Path) -> Path:
    figure, axis = plt.subplots(figsize=(7, 4))
    for name in ("retrieval", "trained"):
        points = [p for p in result["learning_curve"] if p["strategy"] == name]
        axis.plot([p["corrections"] for p in points], [p["micro_f1"] for p in points], marker="o", label=name)
    axis.set_xlabel("corrections available")
    axis.set_ylabel("micro F1 on the test documents")
    axis.set_title("Learning curve")
    axis.grid(alpha=0.3)
    axis.legend()
    return _save(figure, out_dir / "learning_curve.png")


def _per_field(result: dict[str, Any], out_dir: Path) -> Path:
    rows = result["strategies"]
    fields = sorted({f for r in rows for f in r["per_field_f1"]})
    figure, axis = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(rows)
    for i, row in enumerate(rows):
        axis.bar(
            [x + i * width for x in range(len(fields))],
            [row["per_field_f1"].get(f, 0.0) for f in fields],
            width=width,
            label=row["name"],
        )
    axis.set_xticks([x + 0.4 - width / 2 for x in range(len(fields))], fields)
    axis.set_ylabel("F1")
    axis.set_ylim(0, 1)
    axis.set_title("F1 per field")
    axis.legend(fontsize=7)
    return _save(figure, out_dir / "per_field_f1.png")


def _reliability(result: dict[str, Any], out_dir: Path) -> Path:
    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    for row in result["strategies"]:
        bins = [b for b in row["reliability"] if b["count"]]
        axis.plot(
            [b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker=".", label=row["name"]
        )
    axis.set_xlabel("predicted confidence")
    axis.set_ylabel("observed accuracy")
    axis.set_title("Reliability")
    axis.legend(fontsize=7)
    return _save(figure, out_dir / "reliability.png")


def _save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _table(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = [
        "strategy",
        "micro F1",
        "automated at <= 1% error",
        "ECE",
        "training s",
        "ms / document",
        "cost / 1,000 documents",
    ]
    rows = [
        [
            r["name"],
            f"{r['micro_f1']:.3f}",
            f"{r['automation_1pct']['automation']:.1%}",
            f"{r['ece']:.3f}" if r["ece"] is not None else "-",
            f"{r['training_seconds']:.1f}",
            f"{r['latency_ms_per_document']:.1f}",
            f"{r.get('cost_per_1000_documents', 0):.5f} {r.get('currency', '')}",
        ]
        for r in result["strategies"]
    ]
    return header, rows


def _markdown(result: dict[str, Any], charts: list[Path]) -> str:
    header, rows = _table(result)
    lines = [
        f"# Retrieval or fine-tuning? `{result['doc_type']}`",
        "",
        f"Made with `{result['command']}`.",
        "",
        f"**Verdict.** {result['recommendation']['verdict']}",
        "",
        *[f"- {reason}" for reason in result["recommendation"]["reasons"]],
        "",
        f"{result['documents']['train']} documents teach, {result['documents']['test']} are measured; the "
        "split is by vendor, so no test vendor was seen in training (the replay rows show the production "
        "loop, where each corrected test document is remembered for the next).",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
        *["| " + " | ".join(row) + " |" for row in rows],
        "",
        "| strategy | what it is |",
        "| --- | --- |",
        *[f"| {r['name']} | {r['description']} |" for r in result["strategies"]],
        "",
        result.get("cost_assumption", ""),
        "",
        "## Learning curve",
        "",
        "| corrections | retrieval F1 | trained F1 | retrieval automated | trained automated |",
        "| --- | --- | --- | --- | --- |",
        *_curve_rows(result),
        "",
        *[f"![{path.stem}]({path.name})" for path in charts],
        "",
    ]
    return "\n".join(lines)


def _curve_rows(result: dict[str, Any]) -> list[str]:
    by_n: dict[int, dict[str, dict[str, float]]] = {}
    for point in result["learning_curve"]:
        by_n.setdefault(point["corrections"], {})[point["strategy"]] = point
    return [
        f"| {n} | {p['retrieval']['micro_f1']:.3f} | {p['trained']['micro_f1']:.3f} | "
        f"{p['retrieval']['automation']:.1%} | {p['trained']['automation']:.1%} |"
        for n, p in sorted(by_n.items())
    ]


def _html(result: dict[str, Any], charts: list[Path]) -> str:
    header, rows = _table(result)
    esc = html.escape
    table = (
        "<table><thead><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in header)
        + "</tr></thead><tbody>"
        + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
        + "</tbody></table>"
    )
    reasons = "".join(f"<li>{esc(r)}</li>" for r in result["recommendation"]["reasons"])
    images = "".join(f'<figure><img src="{esc(p.name)}" alt="{esc(p.stem)}"></figure>' for p in charts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Retrieval or fine-tuning? {esc(result["doc_type"])}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}}
td:first-child,th:first-child{{text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>Retrieval or fine-tuning? <code>{esc(result["doc_type"])}</code></h1>
<p>Made with <code>{esc(result["command"])}</code>.</p>
<p><strong>Verdict.</strong> {esc(result["recommendation"]["verdict"])}</p><ul>{reasons}</ul>
<p>{result["documents"]["train"]} documents teach, {result["documents"]["test"]} are measured (by vendor).</p>
{table}<p>{esc(result.get("cost_assumption", ""))}</p>{images}</body></html>
"""
