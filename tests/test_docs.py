"""The README's command reference is generated from --help (cog) and must be up to date."""

from __future__ import annotations

import pytest
from conftest import REPO

cogapp = pytest.importorskip("cogapp")


def test_readme_command_reference_is_up_to_date():
    status = cogapp.Cog().main(["cog", "--check", "--diff", str(REPO / "README.md")])
    assert status == 0, "README.md is out of date: run `cog -r README.md`"


def test_every_command_is_documented_with_an_example():
    from typer.main import get_command

    from inspect_cli.cli.main import app

    readme = (REPO / "README.md").read_text(encoding="utf-8")

    def walk(command, path):
        subcommands = getattr(command, "commands", {})
        if path and not subcommands:
            yield path, command
        for name, sub in subcommands.items():
            yield from walk(sub, [*path, name])

    for path, command in walk(get_command(app), []):
        assert f"### inspect-cli {' '.join(path)}" in readme
        assert "Example:" in (command.help or ""), f"{' '.join(path)} has no example"
