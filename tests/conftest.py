"""Shared fixtures: a fixed day and seed, a temporary workspace, and a CLI runner.

An autouse fixture points INSPECT_CLI_HOME at an empty temporary folder so that no test can
touch a real workspace.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inspect_cli.cli.main import app
from inspect_cli.workspace import Workspace, init_workspace

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
TEST_DATA = REPO / "tests" / "data"
SHARED_DATA = REPO.parent / "shared" / "data"

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
SEED = "37195408226615390473"
DEMO_SEED = (EXAMPLES / "demo-seed.txt").read_text(encoding="ascii").strip()
"""The public seed of the bundled examples: the returned list holds the sample it draws."""

needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/data is not beside this checkout"
)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("INSPECT_CLI_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def _no_progress_lines(monkeypatch: pytest.MonkeyPatch):
    """Progress lines come after a second of work, which depends on the machine: tests that
    check stderr must not. tests/test_cli_progress.py turns them on."""
    from inspect_cli.cli import progress

    monkeypatch.setattr(progress, "FIRST_LINE_AFTER", 3600.0)


@pytest.fixture(autouse=True)
def _umask_restored():
    """Commands set the process umask (owner-only files); a test process runs many."""
    umask = os.umask(0o022)
    os.umask(umask)
    yield
    os.umask(umask)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws, _ = init_workspace(tmp_path / "ws", SEED, NOW)
    return ws


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner):
    """Invoke the CLI like a user: ``cli("ingest", "-w", ws, file)``."""

    def invoke(*args: object, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch):
    """Make the CLI's output consoles act as a terminal this many columns wide, without
    colours: ``terminal(80)``. Without it, output is piped (as under cron)."""

    from rich.console import Console

    # TERM=dumb would turn colours off but also fix the width at 80.
    monkeypatch.setattr(Console, "_detect_color_system", lambda self: None)

    def at(columns: int) -> None:
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
        monkeypatch.setenv("COLUMNS", str(columns))

    return at
