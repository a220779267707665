"""The auditor's commands: ``audit pack``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    FormatOption,
    OutputFormat,
    WorkspaceOption,
    open_workspace,
    opened_store,
    print_json,
    read_seed,
    user_errors,
)

audit_app = typer.Typer(
    help="What an external auditor takes away.\n\n"
    "Example:\n\n"
    "    inspect-cli audit pack -w ./control /media/usb/audit-2026",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")


@audit_app.command("pack")
def pack(
    folder: Annotated[Path, typer.Argument(help="New (or empty) folder to write the package to.")],
    workspace: WorkspaceOption = None,
    seed_file: Annotated[
        Path | None,
        typer.Option(
            "--seed-file",
            help="File holding the seed, to include it and the tickets (default: only once "
            "`seed reveal` was run).",
            show_default=False,
        ),
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Write an audit package: decisions, runs, original files, recipes; no inspect-cli needed.

    decisions.csv, runs.csv, files/ with manifest.csv (SHA-256), seed-commitment.txt, seed.txt
    once the seed is revealed or given, and README.txt with the recipes. Check it with
    `inspect-cli verify --package FOLDER` or with the recipes alone.

    Example:

        inspect-cli audit pack -w ./control /media/usb/audit-2026
    """
    from inspect_cli.audit_package import write_package
    from inspect_cli.selection import check_seed
    from inspect_cli.store import selections as db

    with user_errors():
        ws = open_workspace(workspace)
        with opened_store(ws, read_only=True) as conn:
            seed = read_seed(None, seed_file)
            if seed is None and db.seed_revealed(conn):
                seed = ws.read_seed()
            if seed is not None:
                check_seed(conn, seed)
            made = write_package(conn, ws.archive, folder, seed)
    if output is OutputFormat.json:
        print_json(
            {
                "folder": str(made.folder),
                "runs": made.runs,
                "decisions": made.decisions,
                "files": made.files,
                "seed_included": made.seed_included,
            }
        )
        return
    typer.echo(
        f"Audit package written to {made.folder}: {made.runs} runs, {made.decisions} "
        f"decisions, {made.files} original files"
        + ("" if made.seed_included else "; no seed (tickets left out until it is revealed)")
        + "."
    )
