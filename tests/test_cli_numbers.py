"""Every command writes numbers the way `report` does for the workspace (issue 17 item 3):
`csv_dialect = "excel-be"` groups thousands with a dot and has a decimal comma, "standard"
the other way round; JSON keeps machine values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspect_cli.workspace import Workspace

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"


def many_orders(tmp_path: Path) -> Path:
    rows = "".join(f"A{i},Janssens,{100 + i % 50}.00,2026-11-02\n" for i in range(1, 1201))
    path = tmp_path / "janssens.csv"
    path.write_text(HEADER + rows + "B1,Janssens,1500.00,2026-11-03\n", encoding="utf-8")
    return path


def use_dialect(ws: Workspace, dialect: str) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(
        text.replace('csv_dialect = "excel-be"', f'csv_dialect = "{dialect}"'), encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("dialect", "read", "decided", "target"),
    [("excel-be", "1.201", "1.201", "2,00%"), ("standard", "1,201", "1,201", "2.00%")],
)
def test_ingest_select_verify_and_contractors_follow_the_dialect(
    cli, workspace, tmp_path, dialect, read, decided, target
):
    use_dialect(workspace, dialect)
    ingest = cli("ingest", "-w", workspace.root, many_orders(tmp_path))
    assert ingest.exit_code == 0, ingest.output
    assert ingest.stdout.splitlines()[1].split() == ["janssens.csv", read, read, "0", "0", "0"]

    select = cli("select", "-w", workspace.root, "--date", "2026-11-27")
    assert select.exit_code == 0, select.output
    lines = select.stdout.splitlines()
    assert lines[5].split() == ["decided", decided]
    assert lines[-2].endswith(f"target {target}.")

    verify = cli("verify", "-w", workspace.root)
    assert verify.stdout.startswith(f"OK: all {decided} decisions reproduce")

    contractors = cli("contractors", "-w", workspace.root)
    assert contractors.stdout.splitlines()[1].split() == ["Janssens", read]

    data = json.loads(
        cli(
            "ingest", "-w", workspace.root, "--format", "json", "--dry-run", many_orders(tmp_path)
        ).stdout
    )
    assert data["files"][0]["read"] == 1201
