"""`docloop drift` (check for drift now; the sweeper does it hourly) and `docloop report`."""

from __future__ import annotations

from pathlib import Path

import click

from review_app.cli.common import runtime
from review_app.services.dashboard import Period, figures
from review_app.services.drift import alert_view, check_drift


@click.command("drift")
def drift_command() -> None:
    """Compare each field's last seven days with the weeks before; raise and print new quality alerts."""
    rt = runtime()
    with rt.session() as session:
        raised = [alert_view(a)["message"] for a in check_drift(session, rt.settings)]
    for message in raised:
        click.echo(message)
    click.echo(f"{len(raised)} new alert(s)")


@click.command("report")
@click.option("--since", "since", default="30d", show_default=True, help="A span such as 30d or 12w.")
@click.option("--doc-type", default=None, help="Only this document type.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("report"), show_default=True)
def report_command(since: str, doc_type: str | None, out_dir: Path) -> None:
    """Write the dashboard's figures as a Markdown report with its charts as PNG images."""
    from review_app.services.report import parse_since, write_report  # matplotlib: only for reports

    try:
        days = parse_since(since)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--since") from e
    rt = runtime()
    period = Period.last_days(days, doc_type)
    with rt.session() as session:
        data = figures(session, rt.settings, period)
    click.echo(f"wrote {write_report(data, period, out_dir)}")


COMMANDS = [drift_command, report_command]
