"""Every command that works on a workspace says the same thing when there is none.

The commands are found in the typer app itself (every command with a --workspace option), so a
new command is checked without being listed here, as csvkit runs its shared edge cases against
every tool. Each is run with its required arguments filled in and the workspace missing, named
in each of the three ways a command finds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.main import get_command

from inspect_cli.cli.main import app

# A value that passes the command line's own checks, for a required parameter whose values
# are limited; any other required parameter gets "1" (an order id, a file name, a score).
SAMPLE_VALUES = {"name": "summary"}
# Commands whose command line needs more than their required parameters to get past usage.
EXTRA_ARGS = {"record": ["--from", "1"]}


def _commands(command, path: list[str]) -> Iterator[tuple[list[str], object]]:
    subcommands = getattr(command, "commands", {})
    if path and not subcommands:
        yield path, command
    for name, sub in subcommands.items():
        yield from _commands(sub, [*path, name])


def workspace_commands() -> list[list[str]]:
    """Each command with a --workspace option, with its required arguments and options filled."""
    found = []
    for path, command in _commands(get_command(app), []):
        params = command.params
        if not any(p.name == "workspace" for p in params):
            continue
        args = list(path)
        for param in params:
            if not param.required:
                continue
            value = SAMPLE_VALUES.get(param.name, "1")
            args += [value] if param.param_type_name == "argument" else [param.opts[0], value]
        found.append(args + EXTRA_ARGS.get(" ".join(path), []))
    return found


COMMANDS = workspace_commands()


def test_the_commands_are_found():
    names = {" ".join(a for a in args if not a.startswith("-") and a != "1") for args in COMMANDS}
    assert {"ingest", "select", "daily", "doctor", "satisfaction add", "report summary"} <= names
    assert not any(args[0] == "init" for args in COMMANDS)


def message(where: Path, source: str) -> str:
    return (
        f"Error: no workspace at {where} ({source}); create one with `inspect-cli init DIR` "
        "or point --workspace/-w at it\n"
    )


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_no_workspace_from_the_option(args, cli, tmp_path: Path):
    missing = tmp_path / "nowhere"
    result = cli(*args, "--workspace", missing)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == message(missing, "from --workspace")
    assert not missing.exists()


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_no_workspace_from_the_environment(args, cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("INSPECT_CLI_HOME", str(tmp_path))
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == message(tmp_path, "from INSPECT_CLI_HOME")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_no_workspace_in_the_current_folder(args, cli, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("INSPECT_CLI_HOME")
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == message(tmp_path, "from the current folder")
    assert list(tmp_path.iterdir()) == []
