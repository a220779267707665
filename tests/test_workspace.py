"""Workspace creation, discovery, config and the seed commitment."""

from __future__ import annotations

import hashlib
import stat
from decimal import Decimal

import pytest
from conftest import NOW, SEED

from inspect_cli import __version__, store
from inspect_cli.config import Config, load_config
from inspect_cli.errors import ConfigError, WorkspaceExists, WorkspaceNotFound
from inspect_cli.store.schema import LATEST_VERSION, schema_version
from inspect_cli.workspace import find_workspace, init_workspace


def test_init_creates_folders_config_store_and_private_seed(tmp_path):
    ws, commitment = init_workspace(tmp_path / "ws", SEED, NOW)
    for name in ("inbox", "archive", "exports", "quarantine", "logs"):
        assert (ws.root / name).is_dir()
    assert load_config(ws.config_path) == Config()
    assert stat.S_IMODE(ws.seed_path.stat().st_mode) == 0o600
    assert ws.read_seed() == SEED
    assert commitment == hashlib.sha256(SEED.encode()).hexdigest()
    conn = ws.connect()
    assert store.seed_commitment(conn) == commitment
    assert conn.execute("SELECT event, detail FROM audit_log").fetchall() == [
        ("seed_commitment", commitment)
    ]
    assert schema_version(conn) == LATEST_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_init_without_seed_draws_twenty_digits(tmp_path):
    ws, _ = init_workspace(tmp_path / "ws", None, NOW)
    seed = ws.read_seed()
    assert len(seed) == 20 and seed.isdigit()


def test_init_refuses_to_overwrite(workspace):
    with pytest.raises(WorkspaceExists, match="already a workspace"):
        init_workspace(workspace.root, SEED, NOW)


def test_find_prefers_option_then_environment_then_current_folder(workspace, tmp_path):
    assert find_workspace(workspace.root, env={}) == workspace
    assert find_workspace(None, env={"INSPECT_CLI_HOME": str(workspace.root)}) == workspace
    assert find_workspace(None, env={}, cwd=workspace.root) == workspace
    with pytest.raises(WorkspaceNotFound, match="inspect-cli init DIR"):
        find_workspace(None, env={}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('threshold_eur = "abc"', "threshold_eur is not a number"),
        ("threshold_eur = 1000.0", "must be a quoted string"),
        ('sample_rate = "1.5"', "sample_rate must be between 0 and 1"),
        ("satisfaction_scale = 7", "satisfaction_scale must be 10 or 5"),
        ('csv_dialect = "tsv"', "csv_dialect must be one of"),
        ("due_working_days = -1", "due_working_days must be a whole number"),
        (
            '[contractors.X]\ncolumns = { "Ref" = "order_nr" }',
            r'\[contractors."X"\]: unknown field\(s\) order_nr in columns',
        ),
    ],
)
def test_invalid_config_names_the_key(tmp_path, line, message):
    path = tmp_path / "inspect-cli.toml"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_config_values_are_exact(tmp_path):
    path = tmp_path / "inspect-cli.toml"
    path.write_text('threshold_eur = "2500.50"\nsample_rate = "0.05"\n', encoding="utf-8")
    config = load_config(path)
    assert config.threshold_cents == 250050
    assert config.sample_rate == Decimal("0.05")


def test_cli_init_prints_commitment_not_seed(cli, tmp_path):
    result = cli("init", tmp_path / "ws", "--seed", SEED)
    assert result.exit_code == 0
    assert hashlib.sha256(SEED.encode()).hexdigest() in result.stdout
    assert SEED not in result.stdout


def test_cli_init_twice_is_an_error(cli, workspace):
    result = cli("init", workspace.root)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {workspace.root} is already a workspace; refusing to overwrite it\n"
    )


def test_cli_seed_reveal_prints_seed_and_logs_it(cli, workspace):
    result = cli("seed", "reveal", "-w", workspace.root)
    assert result.exit_code == 0
    assert f"Seed: {SEED}" in result.stdout
    conn = workspace.connect()
    assert conn.execute("SELECT event FROM audit_log ORDER BY id").fetchall()[-1] == (
        "seed_revealed",
    )


def test_version_and_module_entry_point(cli):
    assert cli("--version").stdout == f"inspect-cli {__version__}\n"
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "inspect_cli", "--version"], capture_output=True, text=True
    )
    assert done.stdout.strip() == f"inspect-cli {__version__}"


HELP_WITHOUT_PANDAS = """
import sys
from typer.main import get_command
from inspect_cli.cli.main import app

def walk(command, path):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, [*path, name])

for path in walk(get_command(app), []):
    try:
        app([*path, "--help"])
    except SystemExit as e:
        assert e.code == 0, path
assert "pandas" not in sys.modules, "pandas was imported"
"""


def test_help_of_every_command_does_not_import_pandas():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", HELP_WITHOUT_PANDAS], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "Example:" in done.stdout
