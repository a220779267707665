"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from inspect_cli.errors import InspectError, MalformedOption

if TYPE_CHECKING:
    from rich.console import Console

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


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json for scripts.")
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date", help="Run as of this day (YYYY-MM-DD); default today.", show_default=False
    ),
]


def open_workspace(path: Path | None) -> Workspace:
    from inspect_cli.workspace import find_workspace

    return find_workspace(path)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn an InspectError into one ``Error: ...`` line on stderr and its exit code."""
    try:
        yield
    except InspectError as e:
        stderr().print(f"Error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(e.exit_code) from None


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


def _console(stream: Any) -> Console:
    return _escaping_console()(
        file=stream,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        soft_wrap=not stream.isatty(),
    )


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
