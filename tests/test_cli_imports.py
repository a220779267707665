"""Commands that do not read input files must not pay for importing pandas (DESIGN §8)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import EXAMPLES

RUN_WITHOUT_PANDAS = """
import sys
from inspect_cli.cli.main import app
code = 0
try:
    app(sys.argv[1:])
except SystemExit as e:
    code = e.code
assert code in (0, None), f"exit code {code}"
assert "pandas" not in sys.modules, "pandas was imported"
"""


@pytest.fixture
def selected_workspace(workspace, cli):
    """A workspace with the bundled examples ingested and selected."""
    cli("ingest", "-w", workspace.root, *sorted((EXAMPLES / "inbox").iterdir()))
    assert cli("select", "-w", workspace.root, "--date", "2026-11-27").exit_code == 0
    return workspace


@pytest.mark.parametrize(
    "args",
    [
        ["select", "--date", "2026-11-28"],
        ["verify"],
        ["show", "JAN-2026-00001"],
        ["export", "--status", "all"],
        ["report", "summary"],
        ["report", "contractors"],
        ["report", "overdue"],
        ["doctor"],
        ["cron"],
        ["contractors", "--format", "csv"],
    ],
)
def test_command_does_not_import_pandas(selected_workspace, args):
    done = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_PANDAS, *args, "-w", str(selected_workspace.root)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


RUN_WITHOUT_DRAWING = """
import sys
from inspect_cli.cli.main import app
try:
    app(sys.argv[1:])
except SystemExit as e:
    assert e.code in (0, None), f"exit code {e.code}"
drawn = sorted(m for m in ("jinja2", "matplotlib", "inspect_cli.charts") if m in sys.modules)
assert not drawn, f"imported {drawn}"
"""


@pytest.mark.parametrize(
    "args", [["--help"], ["report", "--help"], ["report", "summary"], ["report", "projection"]]
)
def test_commands_that_do_not_draw_do_not_import_the_template_engine(selected_workspace, args):
    """Only the board report pays for the template engine and the charts."""
    extra = [] if "--help" in args else ["-w", str(selected_workspace.root)]
    done = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_DRAWING, *args, *extra], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_board_report_does_not_import_pandas(selected_workspace, tmp_path):
    out = tmp_path / "board.html"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN_WITHOUT_PANDAS,
            "report",
            "board",
            "--out",
            str(out),
            "-w",
            str(selected_workspace.root),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
