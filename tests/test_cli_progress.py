"""Progress on stderr for long steps (issue 17 item 4): off a terminal, plain timestamped
lines once a step has run for a while, and a last line when it ends; stdout untouched."""

from __future__ import annotations

import re

import pytest

from inspect_cli.cli import progress as progress_module

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO (.*)$")
HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"


@pytest.fixture
def slow(monkeypatch):
    """Every step counts as long: its first progress line comes at once."""
    monkeypatch.setattr(progress_module, "FIRST_LINE_AFTER", 0.0)


def messages(stderr: str) -> list[str]:
    found = [LINE.match(line) for line in stderr.splitlines()]
    assert all(found), stderr
    return [m.group(1) for m in found]


def test_piped_ingest_writes_progress_lines(cli, workspace, tmp_path, slow):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "A1,J,10,2026-11-02\nA2,J,20,2026-11-02\n", encoding="utf-8")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 0, result.output
    said = messages(result.stderr)
    assert said[0] in ("ingest a.csv…", "ingest a.csv: 2 rows read")
    assert re.fullmatch(r"ingest a\.csv: done, 2 rows read in \d+ s", said[-1])
    assert result.stdout.splitlines()[1].split() == ["a.csv", "2", "2", "0", "0", "0"]


def test_select_verify_and_export_say_what_they_do(cli, workspace, tmp_path, slow):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "A1,J,1500,2026-11-02\n", encoding="utf-8")
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    select = cli("select", "-w", workspace.root, "--date", "2026-11-27")
    assert messages(select.stderr)[0] == "select: deciding orders…"
    verify = cli("verify", "-w", workspace.root)
    assert messages(verify.stderr)[0] == "verify: recomputing every decision…"
    out = tmp_path / "list.xlsx"
    export = cli("export", "-w", workspace.root, "--out", out)
    assert messages(export.stderr)[0] == "export: writing list.xlsx…"
    assert export.stdout == f"Wrote 1 order (open) to {out}\n"


def test_json_output_and_quick_steps_print_no_progress(cli, workspace, tmp_path, slow):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "A1,J,10,2026-11-02\n", encoding="utf-8")
    result = cli("ingest", "-w", workspace.root, "--format", "json", path)
    assert (result.exit_code, result.stderr) == (0, "")


def test_on_a_terminal_the_spinner_names_the_file_and_leaves_stdout_alone(
    cli, workspace, tmp_path, terminal
):
    terminal(80)
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "A1,J,10,2026-11-02\n", encoding="utf-8")
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 0, result.output
    # Never "0 rows read": until the first rows are counted it says which file it reads.
    assert "0 rows read" not in result.stderr
    assert "ingest a.csv" in result.stderr
    assert result.stdout.splitlines()[1].split() == ["a.csv", "1", "1", "0", "0", "0"]
