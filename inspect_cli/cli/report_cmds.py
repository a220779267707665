"""``inspect-cli report``: summary, contractors, overdue, satisfaction, projection, board, splits,
signals."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    DateOption,
    TableFormat,
    TableFormatOption,
    WorkspaceOption,
    now,
    open_workspace,
    opened_store,
    parse_day,
    print_json,
    print_table,
    shown,
    stdout,
    user_errors,
)
from inspect_cli.cli.progress import progress
from inspect_cli.errors import MalformedOption

if TYPE_CHECKING:
    from datetime import date

    from rich.console import Console
    from rich.table import Table

    from inspect_cli.board import BoardInput, Verified
    from inspect_cli.config import Config
    from inspect_cli.reports import Column, Period, Report
    from inspect_cli.workspace import Workspace


class ReportName(StrEnum):
    summary = "summary"
    contractors = "contractors"
    overdue = "overdue"
    satisfaction = "satisfaction"
    projection = "projection"
    board = "board"
    splits = "splits"
    signals = "signals"


class Language(StrEnum):
    en = "en"
    nl = "nl"
    fr = "fr"


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
    output: TableFormatOption = TableFormat.table,
    lang: Annotated[
        Language | None,
        typer.Option(
            "--lang",
            help="Language of tables and the board report (default: the workspace's language).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="board: the HTML file to write.", show_default=False),
    ] = None,
    day: DateOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Reports for management: summary, contractors, overdue, satisfaction, projection, board,
    splits, signals.

    A report covers the orders completed in the period and all that happened to them since
    (selection, outcomes, corrections, scores); open and overdue are counted as of --date.
    projection estimates what the orders not inspected would yield, from the random sample;
    board writes one self-contained HTML file for the board (--out);
    splits lists orders that together cross the threshold as if one job had been cut up;
    signals shows per contractor what the random sample cannot see (see docs/signals.md).

    Example:

    \b
        inspect-cli report summary -w ./control --period 2026-Q4
        inspect-cli report contractors -w ./control --period 2026 --format csv > scorecard.csv
        inspect-cli report projection -w ./control --period 2026 --format json
        inspect-cli report board -w ./control --period 2026-Q4 --out board.html --lang nl
        inspect-cli report signals -w ./control --period 2026-11
    """
    if name in (ReportName.splits, ReportName.signals):
        _signal_report(name, start, end, period, contractor, sort, output, lang, workspace)
        return
    from inspect_cli.reports import build_report, parse_period

    with user_errors():
        ws = open_workspace(workspace)
        config = ws.config()
        chosen = parse_period(period, start, end)
        today = parse_day(day)
        language = lang.value if lang else config.language
        if name is ReportName.board:
            _write_board(ws, config, chosen, today, language, out, contractor)
            return
        if out is not None:
            raise MalformedOption("--out applies to `report board` only")
        with opened_store(ws) as conn:
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
                lang=language,
                cost_cents=config.inspection_cost_cents,
            )
    if output is TableFormat.json:
        print_json(result.to_json())
    elif output is TableFormat.csv:
        _print_csv(result)
    else:
        keep = _sorted_column(sort) if name is ReportName.contractors else None
        _print_table(result, config.csv_dialect, language, keep)


def _sorted_column(sort: SortKey | None) -> str | None:
    """The column `report contractors --sort` orders by, which a narrow table keeps."""
    if sort is None:
        return "failure_rate"
    return {"spend": "spend_eur", "corrections": "corrections_eur"}.get(sort.value, sort.value)


def _print_csv(result: Report) -> None:
    """Standard CSV (comma, decimal point) with the report's keys as header."""
    _write_csv([c.key for c in result.columns], result.csv_records())


def _write_csv(keys: list[str], records: list[list[str]]) -> None:
    """Standard CSV of records as `Report.csv_records` gives them, under a header of keys.

    Text that a spreadsheet would run as a formula (a contractor named "=...") gets a leading
    quote, as in the export: managers open these files in Excel.
    """
    import csv
    import io

    from inspect_cli.spreadsheet import neutralise

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for record in records:
        fields = [neutralise(v) for v in record]
        # A row of several fields without a comma, quote or line break is written as csv would
        # write it, without its scan of every character: the order ids of `report splits`
        # run to megabytes.
        if len(fields) < 2 or any("," in f or '"' in f or "\n" in f or "\r" in f for f in fields):
            writer.writerow(fields)
        else:
            out.write(",".join(fields) + "\n")
    typer.echo(out.getvalue(), nl=False)


def _print_table(result: Report, dialect: str, lang: str, keep: str | None = None) -> None:
    console = stdout()
    table = (
        _figures(result, dialect, lang)
        if result.single
        else _fitted(result, dialect, lang, console, keep)
    )
    console.print(result.title, markup=False, highlight=False)
    print_table(console, table)
    for note in result.notes:
        console.print(note, markup=False, highlight=False)


def _figures(result: Report, dialect: str, lang: str) -> Table:
    """The summary as figure / value lines, in blocks."""
    from rich.table import Table
    from rich.text import Text

    from inspect_cli.i18n import translate
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
        label = column.label.lstrip()
        indent = column.label[: len(column.label) - len(label)]
        table.add_row(
            Text(indent + translate(lang, label)),
            Text(shown(human_cell(row, column, dialect, lang))),
        )
    return table


def _fitted(
    result: Report, dialect: str, lang: str, console: Console, keep: str | None = None
) -> Table:
    """A table that fits the terminal, never by cutting a value.

    Numbers and values with their interval keep their natural width while optional columns
    (highest drop first) can still be left out, except `keep`, the column the rows are sorted
    by; text may wrap at spaces. Only when nothing optional is left do intervals wrap too.
    Spare room goes to intervals, then to text. Off a terminal the console is unbounded:
    every column is shown at its natural width.
    """
    from dataclasses import replace

    from inspect_cli.i18n import translate
    from inspect_cli.reports import human_cell

    columns = [replace(c, label=translate(lang, c.label)) for c in result.columns if not c.hidden]
    cells = {
        c.key: [shown(human_cell(row, c, dialect, lang)) for row in result.rows] for c in columns
    }
    least = {c.key: _min_width(c, cells[c.key]) for c in columns}
    natural = {c.key: max(len(t) for t in (c.label, *cells[c.key])) for c in columns}
    preferred = {c.key: least[c.key] if c.kind == "text" else natural[c.key] for c in columns}

    def spare(widths: dict[str, int]) -> int:
        # box=None: two spaces between columns and none at the edges (pad_edge=False).
        return console.width - sum(widths[c.key] for c in columns) - 2 * (len(columns) - 1)

    optional = [c for c in columns if c.drop and c.key != keep]
    while spare(preferred) < 0 and optional:
        dropped = max(optional, key=lambda c: c.drop)
        optional.remove(dropped)
        columns.remove(dropped)
    widths = preferred if spare(preferred) >= 0 else least
    room = max(spare(widths), 0)
    for c in sorted(columns, key=lambda c: c.kind == "text"):
        grow = min(room, natural[c.key] - widths[c.key])
        widths = {**widths, c.key: widths[c.key] + grow}
        room -= grow
    return _build(result, columns, cells, widths, translate(lang, "nothing to report"))


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
    result: Report,
    columns: list[Column],
    cells: dict[str, list[str]],
    widths: dict[str, int],
    empty: str,
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
        table.caption = empty
    return table


# --- report board ------------------------------------------------------------------------------


def _write_board(
    ws: Workspace,
    config: Config,
    period: Period,
    today: date,
    lang: str,
    out: Path | None,
    contractor: str | None,
) -> None:
    """Write the board report; jinja2 and the chart code are imported here only, once verify
    has started."""
    if out is None:
        raise MalformedOption("report board needs --out FILE.html")
    if contractor is not None:
        raise MalformedOption("report board covers every contractor; leave out --contractor")
    with _verify_beside(ws) as verified:
        from inspect_cli import speedups
        from inspect_cli.board import BoardInput, write_page

        given = BoardInput(
            period=period,
            today=today,
            lang=lang,
            threshold_cents=config.threshold_cents,
            target_rate=config.sample_rate,
            scale=config.satisfaction_scale,
            cost_cents=config.inspection_cost_cents,
        )
        with speedups.behind(_board_figures, ws, given) as figures:
            checked = verified()
            context = {**figures(), "verified": checked}
    path = write_page(out, context)
    typer.echo(f"board report written to {path}", err=True)


def _board_figures(ws: Workspace, given: BoardInput) -> dict[str, Any]:
    """The board page's figures, read through a connection of the thread that reads them."""
    from inspect_cli.board import board_context

    with opened_store(ws) as conn:
        return board_context(conn, given)


@contextmanager
def _verify_beside(ws: Workspace) -> Iterator[Callable[[], Verified | None]]:
    """`inspect-cli verify` of the workspace, run as a process of its own while the block reads
    the board's figures; yields what waits for its result.

    The page's verification statement is then that command's own result, as an auditor would
    get it (and logged as every verify is), and its work does not compete with the figures for
    this interpreter's lock. None when the workspace does not hold the seed (an auditor's
    copy, a restored backup); a verify that cannot run (a seed that does not match the
    commitment, a store it cannot read) is a failed verification, its message on stderr.
    """
    import json
    import subprocess

    from inspect_cli.board import Verified

    if not ws.seed_path.is_file():
        yield lambda: None
        return
    at = now().isoformat(timespec="seconds")
    command = [sys.executable, "-m", "inspect_cli", "verify", "-w", str(ws.root), "--format"]
    try:
        process = subprocess.Popen(
            [*command, "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8"
        )
    except OSError:  # no interpreter to start (an embedded Python): verify in this process
        yield lambda: _verify_here(ws, at)
        return

    def result() -> Verified:
        with progress("report board: verifying the selection"):
            out, err = process.communicate()
        try:
            found = json.loads(out) if process.returncode in (0, 1) else None
        except ValueError:
            found = None
        if not isinstance(found, dict):
            reason = err.strip().removeprefix("Error: ")
            typer.echo(f"report board: verify could not check the store: {reason}", err=True)
            return Verified(at, ok=False, decisions=0, runs=0, problems=1)
        return Verified(at, found["ok"], found["decisions"], found["runs"], len(found["problems"]))

    try:
        yield result
    finally:
        if process.returncode is None:  # the block failed before waiting for it
            process.kill()
            process.communicate()


def _verify_here(ws: Workspace, at: str) -> Verified:
    """`verify` in this process, for when it cannot run as a process of its own."""
    from inspect_cli.board import Verified
    from inspect_cli.errors import SeedError
    from inspect_cli.verify import verify

    with opened_store(ws, read_only=True) as conn:
        try:
            with progress("report board: verifying the selection"):
                result = verify(conn, ws.read_seed(), None)
        except SeedError as e:
            typer.echo(f"report board: verify could not check the store: {e}", err=True)
            return Verified(at, ok=False, decisions=0, runs=0, problems=1)
    return Verified(at, result.ok, result.decisions, result.runs, len(result.problems))


# --- report splits and report signals ----------------------------------------------------------


def _signal_report(
    name: ReportName,
    start: str | None,
    end: str | None,
    period: str | None,
    contractor: str | None,
    sort: SortKey | None,
    output: TableFormat,
    lang: Language | None,
    workspace: Path | None,
) -> None:
    """Split groups, or signals per contractor with the possible double billings."""
    from inspect_cli import signals
    from inspect_cli.i18n import fill
    from inspect_cli.reports import _match_contractor, parse_period

    with user_errors():
        if sort is not None:
            raise MalformedOption("--sort applies to `report contractors` only")
        ws = open_workspace(workspace)
        config = ws.config()
        chosen = parse_period(period, start, end)
        threshold, window = config.threshold_cents, config.split_window_days
        language = lang.value if lang else config.language
        with opened_store(ws) as conn:
            if contractor is not None:
                contractor = _match_contractor(conn, contractor)
            if name is ReportName.splits:
                groups = signals.stored_split_groups(
                    conn,
                    period=chosen,
                    threshold_cents=threshold,
                    window_days=window,
                    contractor=contractor,
                )
            else:
                rows, found = signals.build_signals(
                    conn,
                    period=chosen,
                    threshold_cents=threshold,
                    window_days=window,
                    contractor=contractor,
                    # CSV holds one table: the contractors, with counts of groups and pairs.
                    details=output is not TableFormat.csv,
                )
    if name is ReportName.splits:
        if output is TableFormat.csv:
            _write_csv([c.key for c in signals.SPLIT_COLUMNS], signals.splits_csv_records(groups))
            return
        report = signals.splits_report(
            groups, period=chosen, threshold_cents=threshold, window_days=window, lang=language
        )
        if output is TableFormat.json:
            print_json(
                signals.splits_json(
                    groups, period=chosen, threshold_cents=threshold, window_days=window
                )
            )
            return
        reports = [report]
    else:
        report = signals.signals_report(
            rows, period=chosen, threshold_cents=threshold, lang=language
        )
        if output is TableFormat.json:
            print_json(
                signals.signals_json(
                    rows, found, period=chosen, threshold_cents=threshold, window_days=window
                )
            )
            return
        # CSV holds one table: the contractors; the pairs are in the table view and JSON.
        reports = [report]
        if output is TableFormat.table:
            reports.append(signals.doubles_report(found.doubles, window_days=window, lang=language))
    if contractor is not None:
        for r in reports:
            r.title += fill(language, ", contractor {name}", name=contractor)
    for r in reports:
        if output is TableFormat.csv:
            _print_csv(r)
        else:
            _print_table(r, config.csv_dialect, language)
