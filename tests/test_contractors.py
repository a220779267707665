"""The contractor register: aliases to one canonical name, the `contractors` command, and
formula-like names stored as received, shown neutralised and reported by doctor."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from inspect_cli.contractors import firm_key, group_names

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"


def write(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def stored(ws) -> dict[str, str]:
    return dict(ws.connect().execute("SELECT order_id, contractor FROM orders").fetchall())


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Peeters Sanitair BV", "peeters sanitair"),
        ("PEETERS SANITAIR", "peeters sanitair"),
        ("=Peeters Sanitair B.V.", "peeters sanitair"),
        ("Bouw Janssens CommV", "bouw janssens"),
        ("Toitures Dupont S.R.L.", "toitures dupont"),
        ("Dakwerken Peeters BVBA", "dakwerken peeters"),
    ],
)
def test_firm_key(name, key):
    assert firm_key(name) == key


def test_group_names_prefers_the_configured_canonical_name():
    names, groups = group_names(
        [
            ("=Peeters Sanitair BV", 9),
            ("Claes", 2),
            ("PEETERS SANITAIR", 5),
            ("Peeters Sanitair BV", 3),
        ],
        canonical=["Peeters Sanitair BV"],
    )
    assert [(n.name, n.group) for n in names] == [
        ("=Peeters Sanitair BV", 1),
        ("Claes", 0),
        ("PEETERS SANITAIR", 1),
        ("Peeters Sanitair BV", 1),
    ]
    (group,) = groups
    assert group.canonical == "Peeters Sanitair BV"
    assert group.toml() == (
        '[contractors."Peeters Sanitair BV"]\n'
        'aliases = ["=Peeters Sanitair BV", "PEETERS SANITAIR"]'
    )


def test_without_config_the_most_used_plain_name_is_proposed():
    _, (group,) = group_names([("=Peeters BV", 9), ("Peeters", 5), ("PEETERS NV", 1)])
    assert group.canonical == "Peeters"


def test_aliases_are_stored_as_the_canonical_name(cli, workspace, tmp_path):
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write(
            '\n[contractors."Peeters Sanitair BV"]\n'
            'aliases = ["Peeters Sanitair", "PEETERS SANITAIR BV"]\n'
        )
    path = write(
        tmp_path / "a.csv",
        "A1,peeters  sanitair,10,02/11/2026",
        "A2,PEETERS SANITAIR BV,10,02/11/2026",
        "A3,Peeters Sanitair BV,10,02/11/2026",
        "A4,=Peeters Sanitair BV,10,02/11/2026",
    )
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    assert stored(workspace) == {
        "A1": "Peeters Sanitair BV",
        "A2": "Peeters Sanitair BV",
        "A3": "Peeters Sanitair BV",
        "A4": "=Peeters Sanitair BV",  # stored as received: not an alias (yet)
    }


def test_contractors_command_groups_names_and_prints_the_aliases(cli, workspace, tmp_path):
    path = write(
        tmp_path / "a.csv",
        "A1,Peeters Sanitair BV,10,02/11/2026",
        "A2,Peeters Sanitair BV,10,02/11/2026",
        "A3,PEETERS SANITAIR,10,02/11/2026",
        "A4,=Peeters Sanitair BV,10,02/11/2026",
        "A5,Schilderwerken Claes,10,02/11/2026",
    )
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    table = cli("contractors", "-w", workspace.root)
    assert table.exit_code == 0
    assert "'=Peeters Sanitair BV" in table.stdout  # neutralised
    assert table.stdout.endswith(
        "4 contractor name(s); 1 group(s) of names that look like one firm.\n"
        "To store each group under one name, add to inspect-cli.toml:\n"
        '[contractors."Peeters Sanitair BV"]\n'
        'aliases = ["=Peeters Sanitair BV", "PEETERS SANITAIR"]\n'
    )
    data = json.loads(cli("contractors", "-w", workspace.root, "--format", "json").stdout)
    assert {c["name"]: (c["orders"], c["group"]) for c in data["contractors"]} == {
        "=Peeters Sanitair BV": (1, 1),
        "PEETERS SANITAIR": (1, 1),
        "Peeters Sanitair BV": (2, 1),
        "Schilderwerken Claes": (1, None),
    }
    assert data["groups"] == [
        {
            "group": 1,
            "canonical": "Peeters Sanitair BV",
            "aliases": ["=Peeters Sanitair BV", "PEETERS SANITAIR"],
        }
    ]
    rows = list(
        csv.reader(io.StringIO(cli("contractors", "-w", workspace.root, "--format", "csv").stdout))
    )
    assert rows[0] == ["name", "orders", "group"]
    assert ["'=Peeters Sanitair BV", "1", "1"] in rows


def test_doctor_warns_about_formula_like_names(cli, workspace, tmp_path):
    path = write(tmp_path / "a.csv", "A1,=Peeters,10,02/11/2026", "A2,=Peeters,10,02/11/2026")
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    result = cli("doctor", "-w", workspace.root)
    assert result.exit_code == 0
    assert (
        "WARNING  names    1 contractor name(s) on 2 order(s) look like a spreadsheet formula"
        in result.stdout
    )
    data = json.loads(cli("doctor", "-w", workspace.root, "--format", "json").stdout)
    (names,) = [c for c in data["checks"] if c["check"] == "names"]
    assert names["ok"] and names["warning"]


def test_a_bad_id_prefix_or_alias_list_is_a_config_error(cli, workspace):
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write('\n[contractors."X"]\naliases = "X BV"\n')
    result = cli("contractors", "-w", workspace.root)
    assert result.exit_code == 1
    assert "aliases must be a list of names" in result.stderr


def test_an_alias_of_two_contractors_is_a_config_error(cli, workspace):
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write('\n[contractors."A BV"]\naliases = ["AB"]\n[contractors."B"]\naliases = ["ab "]\n')
    result = cli("contractors", "-w", workspace.root)
    assert result.exit_code == 1
    assert '\'ab \' is a name or alias of both [contractors."A BV"] and [contractors."B"]' in (
        result.stderr
    )


def test_contractor_option_accepts_an_alias(cli, workspace, tmp_path):
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write('\n[contractors."Peeters Sanitair BV"]\naliases = ["Peeters"]\nid_prefix = "PS-"\n')
    path = tmp_path / "p.csv"
    path.write_text("order_id,amount_excl_vat\nA1,10\n", encoding="utf-8")
    result = cli("ingest", "-w", workspace.root, "--contractor", "peeters", path)
    assert result.exit_code == 0, result.output
    assert stored(workspace) == {"PS-A1": "Peeters Sanitair BV"}
