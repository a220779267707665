"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from inspect_cli.errors import (
    InspectError,
    InvalidValue,
    MalformedOption,
    SeedError,
    from_host,
)

if TYPE_CHECKING:
    from collections import Counter

    from rich.console import Console

    from inspect_cli.config import Config
    from inspect_cli.formatting import Formatter
    from inspect_cli.workspace import Workspace

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $INSPECT_CLI_HOME, then the current folder).",
        show_default=False,
    ),
]


# --format has one meaning everywhere: how a command writes its result on stdout. Two sets of
# values, each defined once: table|json, and table|csv|json for commands that print a table
# a spreadsheet can take. (export writes a file: its file type is --file-type.)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json for scripts.")
]


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


TableFormatOption = Annotated[
    TableFormat,
    typer.Option("--format", help="table for people; csv and json (same content) for tools."),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date", help="Run as of this day (YYYY-MM-DD); default today.", show_default=False
    ),
]


SeedFileOption = Annotated[
    Path | None,
    typer.Option(
        "--seed-file",
        metavar="FILE",
        help="Read the seed from FILE (its one line; e.g. a workspace's seed.secret).",
        show_default=False,
    ),
]
SEED_ON_COMMAND_LINE = (
    "Warning: a seed on the command line can be read by every user of this host (ps) and "
    "stays in the shell history; give it with --seed-file FILE or --seed - (standard input)."
)


def read_seed(value: str | None, seed_file: Path | None) -> str | None:
    """The seed from ``--seed-file FILE``, ``--seed -`` (standard input) or ``--seed VALUE``.

    None when neither option is given. Surrounding spaces are not part of a seed. A value
    on the command line is accepted with a warning: every user of the host sees it in `ps`.
    """
    if value is not None and seed_file is not None:
        raise MalformedOption("give the seed with --seed or with --seed-file, not both")
    if seed_file is not None:
        try:
            text = seed_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            reason = getattr(e, "strerror", None) or e
            raise InvalidValue(f"cannot read the seed file {seed_file}: {reason}") from None
        origin = f"the seed file {seed_file}"
    elif value == "-":
        if sys.stdin.isatty():
            text = typer.prompt("Seed", hide_input=True, err=True)
        else:
            text = sys.stdin.read()
        origin = "standard input"
    elif value is not None:
        stderr().print(SEED_ON_COMMAND_LINE, markup=False, highlight=False, soft_wrap=True)
        text, origin = value, "--seed"
    else:
        return None
    seed = text.strip()
    if not seed:
        where = "" if origin == "--seed" else f": {origin} holds none"
        raise SeedError(f"the seed must not be empty{where}")
    if "\n" in seed or "\r" in seed:
        raise SeedError(f"the seed must be one line; {origin} holds more than one")
    return seed


def open_workspace(path: Path | None) -> Workspace:
    from inspect_cli.workspace import find_workspace

    owner_only_files()
    return find_workspace(path)


@contextmanager
def opened_store(ws: Workspace, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """The workspace's store for the time of a block, closed however the block ends.

    read_only opens an existing store without migrating or creating it (verify, audit)."""
    if read_only:
        from inspect_cli.store import open_read_only

        conn = open_read_only(ws.store_path)
    else:
        conn = ws.connect()
    try:
        yield conn
    finally:
        conn.close()


def owner_only_files() -> None:
    """Make every file this command creates readable by its owner only (umask 077).

    Exports, quarantine files, logs and the store hold tenant contact data; backups were
    already owner-only. One setting for the whole (short-lived) process covers every file
    whichever module writes it; a group that must read them is the host's choice to make.
    """
    os.umask(0o077)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn an InspectError into one ``Error: ...`` line on stderr and its exit code."""
    try:
        yield
    except InspectError as e:
        _fail(e)
    except (OSError, sqlite3.Error) as e:
        # A full disk or read-only media is the host's condition, not a bug: one line too.
        problem = from_host(e)
        if problem is None:
            raise
        _fail(problem)


def _fail(error: InspectError) -> NoReturn:
    stderr().print(f"Error: {error}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(error.exit_code) from None


def now() -> datetime:
    return datetime.now(UTC)


def parse_day(value: str | None, option: str = "--date") -> date:
    """A YYYY-MM-DD option, or today when absent."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MalformedOption(f"{option} must be a date as YYYY-MM-DD, got {value!r}") from None


@cache
def _escaping_console() -> type[Console]:
    from rich.console import Console

    from inspect_cli.printable import escape_controls

    class EscapingConsole(Console):
        """A console that shows control characters in the text it prints as escapes.

        Contractor names, addresses and descriptions reach tables and messages as plain str,
        which every print and table cell turns into Text here: one place, so no command can
        forget it. Rich's own styling is added later, as segments, and is not affected.
        """

        def render_str(self, text: str, **kwargs: Any) -> Any:
            return super().render_str(escape_controls(text, keep_layout=True), **kwargs)

    return EscapingConsole


# Off a terminal (cron mail, a pipe, a file) lines are as long as their content: nothing wraps.
UNBOUNDED_WIDTH = 10_000


def _console(stream: Any) -> Console:
    console = _escaping_console()(file=stream, no_color="NO_COLOR" in os.environ, highlight=False)
    if not console.is_terminal:
        console.soft_wrap = True
        console.width = UNBOUNDED_WIDTH
    return console


def print_table(console: Console, table: Any) -> None:
    """A table as the terminal fits it; off a terminal at its natural width with no trailing
    spaces, so that a mail or a pipe never breaks a name over lines nor cuts it."""
    if console.is_terminal:
        console.print(table, soft_wrap=False)
        return
    with console.capture() as captured:
        console.print(table, soft_wrap=False)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def shown(text: str) -> str:
    """Text from a file as it may be shown on a terminal (for a rich Text built by hand)."""
    from inspect_cli.printable import escape_controls

    return escape_controls(text, keep_layout=True)


def stdout() -> Console:
    """A console on the current stdout (CliRunner swaps it per invocation)."""
    return _console(sys.stdout)


def stderr() -> Console:
    return _console(sys.stderr)


def print_json(data: Any) -> None:
    """Machine output: plain JSON on stdout, never through rich."""
    # json escapes C0 controls itself; C1 controls and bidirectional overrides are escaped
    # too (\u009b), so that a terminal reading the output never acts on them.
    from inspect_cli.printable import escape_json

    typer.echo(escape_json(json.dumps(data, indent=2, ensure_ascii=False, default=str)))


def formatter(config: Config | None = None) -> Formatter:
    """Numbers for people as the workspace's reports show them (its language and CSV dialect);
    without a workspace, English with a decimal point."""
    from inspect_cli.formatting import Formatter

    if config is None:
        return Formatter()
    return Formatter(config.language, config.csv_dialect)


# A summary lists this many rejection reasons; the quarantine file has every row.
SHOWN_REASONS = 5


def reason_lines(counts: Counter[str], fmt: Formatter) -> list[str]:
    """The most frequent rejection reasons, each once with its number of rows."""
    lines = [
        f"  {fmt.count(n)} {'row' if n == 1 else 'rows'}: {reason}"
        for reason, n in counts.most_common(SHOWN_REASONS)
    ]
    others = counts.most_common()[SHOWN_REASONS:]
    if others:
        rows = sum(n for _, n in others)
        lines.append(
            f"  … {fmt.count(len(others))} other reason{'s' if len(others) > 1 else ''} "
            f"({fmt.count(rows)} {'row' if rows == 1 else 'rows'}), "
            "all in the quarantine file"
        )
    return lines
