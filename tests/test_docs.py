"""The generated parts of the docs are up to date: the command reference is every command's
--help (docs/commands.md) and the exit-code table is `exit_codes.MEANINGS` (docs/operations.md).
"""

from __future__ import annotations

import re

import pytest
from conftest import REPO

cogapp = pytest.importorskip("cogapp")

GENERATED = ("docs/commands.md", "docs/operations.md")


@pytest.mark.parametrize("name", GENERATED)
def test_generated_docs_are_up_to_date(name):
    status = cogapp.Cog().main(["cog", "--check", "--diff", str(REPO / name)])
    assert status == 0, f"{name} is out of date: run `cog -r {name}`"


def test_every_command_is_documented_with_an_example():
    from typer.main import get_command

    from inspect_cli.cli.main import app

    reference = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")

    def walk(command, path):
        subcommands = getattr(command, "commands", {})
        if path and not subcommands:
            yield path, command
        for name, sub in subcommands.items():
            yield from walk(sub, [*path, name])

    for path, command in walk(get_command(app), []):
        assert f"\n## inspect-cli {' '.join(path)}\n" in reference
        assert "Example:" in (command.help or ""), f"{' '.join(path)} has no example"


def test_the_exit_code_table_is_every_code_and_its_meaning():
    from inspect_cli.exit_codes import MEANINGS, ExitCode

    operations = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| (\d) \| (.+) \|$", operations, flags=re.MULTILINE)
    assert table == [(str(code.value), MEANINGS[code]) for code in ExitCode]


def test_the_readme_is_a_front_door_linking_every_doc():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    linked = set(re.findall(r"\]\((docs/[a-z-]+\.md)", readme))
    present = {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")}
    assert present <= linked, f"not linked from README.md: {sorted(present - linked)}"


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading ids: lower case, markup and punctuation dropped, spaces to hyphens,
    a repeated id numbered -1, -2..."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL).splitlines():
        heading = re.match(r"#{1,6} (.+)", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


@pytest.mark.parametrize(
    "page",
    ["README.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))],
)
def test_every_relative_link_resolves(page):
    """A reader who follows a link lands on a file that exists, at a heading that exists."""
    source = REPO / page
    text = source.read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (source.parent / path).resolve() if path else source
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif (
            anchor
            and linked.suffix == ".md"
            and anchor not in _anchors(linked.read_text(encoding="utf-8"))
        ):
            broken.append(f"{target}: no such heading")
    assert not broken, f"{page}: {broken}"
