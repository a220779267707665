"""Which column became which field: shown by `ingest --dry-run`, kept in the log, and one
column never fills two fields unless a profile says so."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TODAY

DETROIT = "Address,Parcel ID,Contractor Name,Price,Demolition Date,Council_District\n"
ROW = "3617 Joseph Campau,11002780-1,Able Demolition,18180.00,2019-08-19,5\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_dry_run_shows_each_column_and_its_field(cli, workspace, tmp_path):
    path = write(tmp_path / "j.csv", "Bonnummer;Aannemer;Bedrag excl. btw;Kleur\nB1;J;10,00;rood\n")
    table = cli("ingest", "-w", workspace.root, "--dry-run", path)
    assert table.exit_code == 0, table.output
    assert (
        "j.csv columns:\n  Bonnummer -> order_id\n  Aannemer -> contractor\n"
        "  Bedrag excl. btw -> amount_excl_vat\n  Kleur -> ignored\n" in table.stdout
    )
    data = json.loads(
        cli("ingest", "-w", workspace.root, "--dry-run", "--format", "json", path).stdout
    )
    assert data["files"][0]["columns"] == [
        {"column": "Bonnummer", "field": "order_id"},
        {"column": "Aannemer", "field": "contractor"},
        {"column": "Bedrag excl. btw", "field": "amount_excl_vat"},
        {"column": "Kleur", "field": "ignored"},
    ]


def test_the_log_keeps_the_columns_of_each_import(cli, workspace, tmp_path):
    path = write(tmp_path / "j.csv", "Bonnummer,Aannemer,Bedrag,Kleur\nB1,J,10.00,rood\n")
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0
    log = (workspace.logs / "inspect-cli.log").read_text(encoding="utf-8")
    assert (
        "ingest j.csv: 1 read, 1 new, 0 unchanged, 0 amended, 0 rejected; columns: "
        "Bonnummer -> order_id, Aannemer -> contractor, Bedrag -> amount_excl_vat, "
        "Kleur -> ignored" in log
    )
    write(workspace.inbox / "k.csv", "Bonnummer,Aannemer,Bedrag\nB2,J,10.00\n")
    assert cli("daily", "-w", workspace.root, "--date", TODAY.isoformat()).exit_code == 0
    log = (workspace.logs / "inspect-cli.log").read_text(encoding="utf-8")
    assert (
        "k.csv: columns: Bonnummer -> order_id, Aannemer -> contractor, Bedrag -> amount_excl_vat"
        in log
    )


def test_one_column_for_two_fields_is_refused_without_a_profile(cli, workspace, tmp_path):
    path = write(tmp_path / "detroit.csv", DETROIT + ROW)
    result = cli("ingest", "-w", workspace.root, path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: column 'Parcel ID' would fill order_id and dwelling_id; a column fills "
        'one field unless the profile says so. Add to inspect-cli.toml [contractors."Contractor '
        'name"] files = ["detroit.csv"] and under [contractors."Contractor name".columns] either '
        '"Parcel ID" = "order_id" (one field) or "Parcel ID" = ["order_id", "dwelling_id"] '
        "(each of them)\n"
    )


def test_a_profile_maps_one_column_to_one_field_or_to_both(cli, workspace, tmp_path):
    path = write(tmp_path / "detroit.csv", DETROIT + ROW)
    with open(workspace.config_path, "a", encoding="utf-8") as f:
        f.write(
            '\n[contractors."Able Demolition"]\nfiles = ["detroit*"]\n'
            '[contractors."Able Demolition".columns]\n"Parcel ID" = "order_id"\n'
        )
    one = cli("ingest", "-w", workspace.root, "--dry-run", "--format", "json", path)
    assert one.exit_code == 0, one.output
    fields = {c["column"]: c["field"] for c in json.loads(one.stdout)["files"][0]["columns"]}
    assert fields["Parcel ID"] == "order_id"
    assert fields["Council_District"] == "ignored"
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(
        text.replace('"Parcel ID" = "order_id"', '"Parcel ID" = ["order_id", "dwelling_id"]'),
        encoding="utf-8",
    )
    both = cli("ingest", "-w", workspace.root, "--format", "json", path)
    assert both.exit_code == 0, both.output
    fields = {c["column"]: c["field"] for c in json.loads(both.stdout)["files"][0]["columns"]}
    assert fields["Parcel ID"] == "order_id, dwelling_id"
    row = workspace.connect().execute("SELECT order_id, dwelling_id FROM orders").fetchone()
    assert row == ("11002780-1", "11002780-1")
