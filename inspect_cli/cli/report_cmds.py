"""``inspect-cli report summary|contractors|overdue|satisfaction``."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    DateOption,
    WorkspaceOption,
    open_workspace,
    parse_day,
    print_json,
    shown,
    stdout,
    user_errors,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from inspect_cli.reports import Column, Report


class ReportName(StrEnum):
    summary = "summary"
    contractors = "contractors"
    overdue = "overdue"
    satisfaction = "satisfaction"


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class SortKey(StrEnum):
    failure_rate = "failure_rate"
    orders = "orders"
    spend = "spend"
    inspected = "inspected"
    corrections = "corrections"
    satisfaction = "satisfaction"
    overdue = "overdue"
    contractor = "contractor"


# Summary figures that open a block of the table.
_SECTIONS = {"selected", "inspected", "corrections_eur", "satisfaction_scale"}
# Text columns wrap, but never narrower than this.
_TEXT_MIN_WIDTH = 12


@app.command()
def report(
    name: Annotated[ReportName, typer.Argument(help="Which report.")],
    start: Annotated[
        str | None,
        typer.Option("--from", help="First completion date (YYYY-MM-DD).", show_default=False),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Last completion date (YYYY-MM-DD).", show_default=False),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="Completion period: a year (2026), quarter (2026-Q4) or month (2026-11).",
            show_default=False,
        ),
    ] = None,
    contractor: Annotated[
        str | None, typer.Option(help="Only this contractor's orders.", show_default=False)
    ] = None,
    sort: Annotated[
        SortKey | None,
        typer.Option(
            help="contractors: order of the rows (default failure_rate).", show_default=False
        ),
    ] = None,
    output: Annotated[
        ReportFormat,
        typer.Option("--format", help="table for people; csv and json (same content) for tools."),
    ] = ReportFormat.table,
    day: DateOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Reports for management: summary, contractors, overdue, satisfaction.

    A report covers the orders completed in the period and all that happened to them since
    (selection, outcomes, corrections, scores); open and overdue are counted as of --date.

    Example:

    \b
        inspect-cli report summary -w ./control --period 2026-Q4
        inspect-cli report contractors -w ./control --period 2026 --format csv > scorecard.csv
    """
    from inspect_cli.reports import build_report, parse_period

    with user_errors():
        ws = open_workspace(workspace)
        config = ws.config()
        chosen = parse_period(period, start, end)
        today = parse_day(day)
        conn = ws.connect()
        try:
            result = build_report(
                conn,
                name.value,
                period=chosen,
                today=today,
                threshold_cents=config.threshold_cents,
                target_rate=config.sample_rate,
                scale=config.satisfaction_scale,
                contractor=contractor,
                sort=sort.value if sort else None,
            )
        finally:
            conn.close()
    if output is ReportFormat.json:
        print_json(result.to_json())
    elif output is ReportFormat.csv:
        _print_csv(result)
    else:
        _print_table(result, config.csv_dialect)


def _print_csv(result: Report) -> None:
    """Standard CSV (comma, decimal point) with the report's keys as header.

    Text that a spreadsheet would run as a formula (a contractor named "=...") gets a leading
    quote, as in the export: managers open these files in Excel.
    """
    import csv
    import io

    from inspect_cli.spreadsheet import neutralise

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in result.columns])
    for record in result.records():
        writer.writerow(
            [
                "" if v is None else neutralise(v) if isinstance(v, str) else v
                for v in record.values()
            ]
        )
    typer.echo(out.getvalue(), nl=False)


def _print_table(result: Report, dialect: str) -> None:
    console = stdout()
    table = _figures(result, dialect) if result.single else _fitted(result, dialect, console)
    # The shared console does not wrap when not on a terminal; a table must fit its width
    # anyway (cron mail), so wrapping is asked for here.
    console.print(result.title, markup=False, highlight=False, soft_wrap=False)
    console.print(table, soft_wrap=False)
    for note in result.notes:
        console.print(note, markup=False, highlight=False, soft_wrap=False)


def _figures(result: Report, dialect: str) -> Table:
    """The summary as figure / value lines, in blocks."""
    from rich.table import Table
    from rich.text import Text

    from inspect_cli.reports import human_cell

    table = Table(show_header=False, box=None)
    table.add_column("figure", no_wrap=True)
    table.add_column("value", overflow="fold")
    row = result.rows[0]
    for column in result.columns:
        if column.hidden or column.kind == "date":
            continue
        if column.key in _SECTIONS:
            table.add_section()
        table.add_row(Text(column.label), Text(shown(human_cell(row, column, dialect))))
    return table


def _fitted(result: Report, dialect: str, console: Console) -> Table:
    """A table that fits the terminal, never by cutting a value.

    Numbers and values with their interval keep their natural width while optional columns
    (highest drop first) can still be left out; text may wrap at spaces. Only when nothing
    optional is left do intervals wrap too. Spare room goes to intervals, then to text.
    """
    from inspect_cli.reports import human_cell

    columns = [c for c in result.columns if not c.hidden]
    cells = {c.key: [shown(human_cell(row, c, dialect)) for row in result.rows] for c in columns}
    least = {c.key: _min_width(c, cells[c.key]) for c in columns}
    natural = {c.key: max(len(t) for t in (c.label, *cells[c.key])) for c in columns}
    preferred = {c.key: least[c.key] if c.kind == "text" else natural[c.key] for c in columns}

    def spare(widths: dict[str, int]) -> int:
        # box=None: two spaces between columns and none at the edges (pad_edge=False).
        return console.width - sum(widths[c.key] for c in columns) - 2 * (len(columns) - 1)

    while spare(preferred) < 0 and any(c.drop for c in columns):
        columns.remove(max(columns, key=lambda c: c.drop))
    widths = preferred if spare(preferred) >= 0 else least
    room = max(spare(widths), 0)
    for c in sorted(columns, key=lambda c: c.kind == "text"):
        grow = min(room, natural[c.key] - widths[c.key])
        widths = {**widths, c.key: widths[c.key] + grow}
        room -= grow
    return _build(result, columns, cells, widths)


def _min_width(column: Column, cells: list[str]) -> int:
    """Narrowest a column can be without breaking a word (header or text) or a number.

    Text, and a value with its interval ("40,0% (5,3 to 85,3%)"), may wrap at spaces.
    """
    longest_word = max((len(w) for text in (column.label, *cells) for w in text.split()), default=0)
    longest_cell = max((len(cell) for cell in cells), default=0)
    if column.kind == "text" or column.interval is not None:
        return max(longest_word, min(longest_cell, _TEXT_MIN_WIDTH))
    return max(longest_word, longest_cell)


def _build(
    result: Report, columns: list[Column], cells: dict[str, list[str]], widths: dict[str, int]
) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    for c in columns:
        justify = "left" if c.kind == "text" else "right"
        table.add_column(Text(c.label, justify=justify), justify=justify, width=widths[c.key])
    for position in range(len(result.rows)):
        table.add_row(*(Text(cells[c.key][position]) for c in columns))
    if not result.rows:
        table.caption = "nothing to report"
    return table
