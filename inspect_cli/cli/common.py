"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
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


def _console(stream: Any) -> Console:
    from rich.console import Console

    return Console(
        file=stream,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        soft_wrap=not stream.isatty(),
    )


def stdout() -> Console:
    """A console on the current stdout (CliRunner swaps it per invocation)."""
    return _console(sys.stdout)


def stderr() -> Console:
    return _console(sys.stderr)


def print_json(data: Any) -> None:
    """Machine output: plain JSON on stdout, never through rich."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
