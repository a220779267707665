"""Commands for running unattended: ``daily``, ``cron``, ``doctor`` and ``backup``."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    SHOWN_REASONS,
    DateOption,
    FormatOption,
    OutputFormat,
    WorkspaceOption,
    formatter,
    now,
    open_workspace,
    parse_day,
    print_json,
    reason_lines,
    shown,
    user_errors,
)
from inspect_cli.cli.progress import progress
from inspect_cli.errors import InspectError, from_host
from inspect_cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from inspect_cli.daily import DailyResult
    from inspect_cli.formatting import Formatter
    from inspect_cli.workspace import Workspace

QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print nothing when all is well but the receipt of a new selection run (for cron).",
    ),
]


@app.command()
def daily(
    workspace: WorkspaceOption = None,
    day: DateOption = None,
    quiet: QuietOption = False,
    fail_on_overdue: Annotated[
        bool,
        typer.Option("--fail-on-overdue", help="Exit 5 when open inspections are overdue."),
    ] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Ingest the inbox, select, and write the day's inspection lists: what cron runs.

    Imported files move to archive/YYYY/MM/, unreadable ones to quarantine/ with a .reason.txt
    (so do links, which are never followed); a file still being written waits for the next run.
    Writes exports/inspections-new-DAY.csv (orders selected as of the day) and
    exports/inspections-open-DAY.csv (every open inspection), then prints one summary line.
    One run at a time; a second run the same day rewrites the same lists. Always logs to
    logs/inspect-cli.log. Exit 0 ok, 1 error, 3 rows rejected or files quarantined, 4 another
    run holds the lock, 5 overdue inspections (with --fail-on-overdue), 6 selected orders
    amended to the threshold or below stay selected (listed: look at them).

    Example:

        inspect-cli daily -w ./control --quiet
    """
    from inspect_cli.daily import run_daily
    from inspect_cli.logs import FILE_ONLY, LOG_FILE, logging_to
    from inspect_cli.selection import receipt

    with user_errors():
        ws = open_workspace(workspace)
        as_of = parse_day(day)
        fmt = formatter(ws.config())
        with ws.lock(), logging_to(ws.logs, sys.stderr, quiet=quiet) as log:
            try:
                result = run_daily(
                    ws,
                    as_of=as_of,
                    now=now(),
                    log=log,
                    file_progress=_file_progress(quiet or output is OutputFormat.json, fmt),
                )
            except InspectError as e:
                log.error("daily run stopped: %s", e, extra=FILE_ONLY)
                raise
            except Exception as e:
                log.error("daily run failed: %s: %s", type(e).__name__, e, exc_info=True)
                raise from_host(e, ws.store_path) or InspectError(
                    f"the daily run failed unexpectedly; details in {ws.logs / LOG_FILE}"
                ) from None
            run = result.run
            made = {"run_id": run.run_id, "run_hash": run.hash} if run and run.hash else {}
            line = receipt(made["run_id"], made["run_hash"]) if made else None
            if line:
                log.info("receipt: %s", line, extra=FILE_ONLY)
            code = result.exit_code(fail_on_overdue)
            log.log(20 if code is ExitCode.OK else 30, result.summary(fmt), extra=FILE_ONLY)
    if output is OutputFormat.json:
        # Under --quiet, a day that needs nothing but made a run still prints its receipt.
        if not (quiet and code is ExitCode.OK):
            print_json({**result.as_dict(fail_on_overdue), **made})
        elif made:
            print_json(made)
    else:
        if not (quiet and code is ExitCode.OK):
            typer.echo(shown(result.summary(fmt)))
            for advice in _what_to_do(result, ws, fmt):
                typer.echo(shown(advice))
        # The receipt leaves the building the day the run is made, also under cron --quiet.
        if line:
            typer.echo(line)
    raise typer.Exit(int(code))


def _what_to_do(result: DailyResult, ws: Workspace, fmt: Formatter) -> list[str]:
    """For the cron mail: why rows and files were refused, at most a few lines, and the next
    step, so that the coordinator need not open the log to act."""
    from inspect_cli.daily import QUARANTINED

    lines = []
    refused = [f for f in result.files if f.status == QUARANTINED]
    if refused:
        lines.append(f"Files quarantined ({fmt.count(len(refused))}):")
        for f in refused[:SHOWN_REASONS]:
            lines.append(f"  {f.result.error}")
        if len(refused) > SHOWN_REASONS:
            lines.append(f"  … {fmt.count(len(refused) - SHOWN_REASONS)} more in {ws.quarantine}")
        lines.append(
            f"Next step: fix each file (or its profile in {ws.config_path.name}) as its "
            f"reason says (.reason.txt beside it in {ws.quarantine}), then move it back to "
            f"{ws.inbox}."
        )
    counts = result.rejected_reasons()
    if counts:
        lines.append("Rows rejected, by reason:")
        lines.extend(reason_lines(counts, fmt))
        lines.append(
            f"Next step: open the quarantine file(s) in {ws.quarantine}, correct the rows (the "
            f"problems column says what is wrong) and put the file in {ws.inbox}: it imports "
            "like the original, and only its rows."
        )
    return lines


def _file_progress(off: bool, fmt: Formatter) -> Callable | None:
    """Rows read per file on stderr; None under --quiet (cron mails any output) or for JSON."""
    if off:
        return None
    return lambda name: progress(f"ingest {name}", "rows read", fmt=fmt)


def _at(value: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
        raise typer.BadParameter(f"expected HH:MM (00:00 to 23:59), got {value!r}")
    return value


@app.command()
def cron(
    workspace: WorkspaceOption = None,
    at: Annotated[
        str, typer.Option("--at", callback=_at, metavar="HH:MM", help="Time of day to run.")
    ] = "06:30",
) -> None:
    """Print a crontab line that runs `daily` for this workspace on weekdays.

    Absolute paths to the program and the workspace, --quiet so that cron mails only when
    something needs attention. Nothing is installed: paste the line with `crontab -e`.

    Example:

        inspect-cli cron -w ./control --at 07:15
    """
    with user_errors():
        ws = open_workspace(workspace)
    hour, minute = (int(part) for part in at.split(":"))
    command = [*_program(), "daily", "--workspace", str(ws.root), "--quiet"]
    # cron turns an unescaped % into a newline.
    line = shlex.join(command).replace("%", r"\%")
    typer.echo(
        f"# inspect-cli daily run for {ws.root}, Monday to Friday at {hour:02d}:{minute:02d}"
    )
    typer.echo("# Install: run `crontab -e` and paste these lines (this command edits nothing).")
    typer.echo("# cron mails any output to MAILTO; --quiet prints the receipt of a new")
    typer.echo("# selection run (for the auditor) and otherwise only what needs attention")
    typer.echo(f"# (exit code not 0). Every run is logged in {ws.logs / 'inspect-cli.log'}")
    typer.echo(f"{minute} {hour} * * 1-5 {line}")


def _program() -> list[str]:
    """The installed `inspect-cli` script beside this Python, else `python -m inspect_cli`."""
    script = Path(sys.executable).parent / "inspect-cli"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "inspect_cli"]


@app.command()
def doctor(workspace: WorkspaceOption = None, output: FormatOption = OutputFormat.table) -> None:
    """Check the workspace: config, store integrity and schema, seed, folders, file modes,
    lock, inbox, and contractor names that look like formulas.

    Reads only and repairs nothing. Exit 0 when healthy (warnings included), 1 with a line
    per problem, each saying what to do.

    Example:

        inspect-cli doctor -w ./control
    """
    from inspect_cli.doctor import as_json, check_workspace, healthy

    with user_errors():
        ws = open_workspace(workspace)
        checks = check_workspace(ws)
    if output is OutputFormat.json:
        print_json(as_json(checks))
    else:
        for c in checks:
            status = "PROBLEM" if not c.ok else "WARNING" if c.warning else "ok"
            typer.echo(shown(f"{status:<8} {c.name:<8} {c.message}"))
        problems = sum(not c.ok for c in checks)
        typer.echo(f"{problems} problem(s) in {ws.root}" if problems else f"{ws.root} is healthy")
    if not healthy(checks):
        raise typer.Exit(int(ExitCode.ERROR))


@app.command()
def backup(
    dest: Annotated[Path, typer.Argument(help="Folder to put the backup folder in.")],
    workspace: WorkspaceOption = None,
    archive: Annotated[
        bool,
        typer.Option(
            "--archive", help="Include archive/, the original files (for `verify --files`)."
        ),
    ] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Copy the store (consistently, even while a run is busy), config and seed commitment.

    Makes DEST/inspect-cli-backup-<UTC time>/ with RESTORE.txt. The seed is left out: keep it
    apart, since whoever has it can predict the random sample.

    Example:

        inspect-cli backup -w ./control /mnt/backup/inspect-cli
    """
    from inspect_cli.backup import backup_workspace
    from inspect_cli.logs import FILE_ONLY, logging_to

    with user_errors():
        ws = open_workspace(workspace)
        made = backup_workspace(ws, dest, now(), archive=archive)
    with logging_to(ws.logs, sys.stderr, quiet=True) as log:
        log.info("backup written to %s", made.folder, extra=FILE_ONLY)
    if output is OutputFormat.json:
        print_json(
            {
                "folder": str(made.folder),
                "files": [str(p) for p in made.files],
                "seed_commitment": made.commitment,
            }
        )
        return
    typer.echo(f"Backup written to {made.folder}")
    typer.echo(f"Seed commitment: {made.commitment}")
    typer.echo("The seed is not in the backup: keep it apart. To restore, see RESTORE.txt there.")
