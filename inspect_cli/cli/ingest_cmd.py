"""``inspect-cli ingest``: import contractor files into the workspace."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    FormatOption,
    OutputFormat,
    WorkspaceOption,
    formatter,
    now,
    open_workspace,
    opened_store,
    print_json,
    print_table,
    reason_lines,
    stderr,
    stdout,
    user_errors,
)
from inspect_cli.cli.progress import progress
from inspect_cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from inspect_cli.formatting import Formatter


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV or XLSX files of repair orders.")],
    workspace: WorkspaceOption = None,
    contractor: Annotated[
        str | None,
        typer.Option(
            help="Contractor of files without a contractor column (or its config profile)."
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(help="XLSX sheet to read (default: the first).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count, store nothing.")
    ] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Import repair-order files: each row becomes new, unchanged, amended or rejected.

    Rejected rows go to quarantine/ with a reason per field. Exit 0 when every row was
    accepted, 3 when some rows were rejected, 1 when a file could not be read. --dry-run
    also shows which field each column of a file fills (or that it is ignored); the log
    (logs/inspect-cli.log) keeps it for every import.

    Example:

        inspect-cli ingest -w ./control inbox/janssens-2026-11.csv inbox/dubois.xlsx
    """
    from inspect_cli.ingest import ingest_file
    from inspect_cli.logs import FILE_ONLY, logging_to

    results = []
    with ExitStack() as held:
        # Exited last: a full disk while importing is one line too, after the store is closed.
        held.enter_context(user_errors())
        with user_errors():
            ws = open_workspace(workspace)
            config = ws.config()
            # One writer at a time, as for the daily run: a second one exits 4.
            held.enter_context(ws.lock())
            conn = held.enter_context(opened_store(ws))
            log = held.enter_context(logging_to(ws.logs, sys.stderr, quiet=True))
        fmt = formatter(config)
        for path in files:
            with progress(
                f"ingest {path.name}", "rows read", fmt=fmt, on=output is OutputFormat.table
            ) as advance:
                result = ingest_file(
                    conn,
                    path,
                    config,
                    quarantine_dir=ws.quarantine,
                    now=now(),
                    contractor=contractor,
                    sheet=sheet,
                    dry_run=dry_run,
                    progress=advance,
                )
            results.append(result)
            if not dry_run and result.error is None:
                log.info(
                    "ingest %s: %d read, %d new, %d unchanged, %d amended, %d rejected; "
                    "columns: %s",
                    path.name,
                    result.read,
                    result.new,
                    result.unchanged,
                    result.amended,
                    result.rejected,
                    result.mapping(),
                    extra=FILE_ONLY,
                )
    if output is OutputFormat.json:
        print_json({"dry_run": dry_run, "files": [r.as_dict() for r in results]})
    else:
        _print_table(results, dry_run, fmt)
    if any(r.error for r in results):
        raise typer.Exit(ExitCode.ERROR)
    if any(r.rejected for r in results):
        raise typer.Exit(ExitCode.REJECTED)


def _print_table(results, dry_run: bool, fmt: Formatter) -> None:
    from rich.table import Table

    from inspect_cli.quarantine import reason_counts

    table = Table(title="Dry run: nothing stored" if dry_run else None, box=None, pad_edge=False)
    for name in ("file", "read", "new", "unchanged", "amended", "rejected"):
        if name == "file":
            # A file name is never cut: on a narrow terminal it folds over lines.
            table.add_column(name, overflow="fold")
        else:
            table.add_column(name, justify="right", no_wrap=True)
    for r in results:
        if r.error:
            continue
        table.add_row(
            Path(r.file).name,
            *(
                fmt.count(getattr(r, k))
                for k in ("read", "new", "unchanged", "amended", "rejected")
            ),
        )
    out = stdout()
    if table.row_count:
        print_table(out, table)
    if dry_run:
        for r in results:
            if not r.error:
                out.print(f"{Path(r.file).name} columns:", markup=False)
                for c in r.columns:
                    out.print(f"  {c['column']} -> {c['field']}", markup=False, highlight=False)
    for r in results:
        if r.not_completed:
            name = Path(r.file).name
            out.print(
                f"{name}: {fmt.count(r.not_completed)} orders not completed yet "
                "(stored, decided later)",
                markup=False,
            )
        if r.quarantine:
            out.print(
                f"{Path(r.file).name}: {fmt.count(r.rejected)} rejected rows in {r.quarantine}",
                markup=False,
            )
            for line in reason_lines(reason_counts(Path(r.quarantine)), fmt):
                out.print(line, markup=False)
    for r in results:
        if r.error:
            stderr().print(f"Error: {r.error}", markup=False, soft_wrap=True)
