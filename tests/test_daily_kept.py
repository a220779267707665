"""``daily`` names the orders kept selected after a downward amendment, and exits 6."""

from __future__ import annotations

import json

from conftest import TODAY

HEADER = "order_id,contractor,amount_excl_vat,completed_on\n"


def test_daily_reports_kept_selections(workspace, cli):
    (workspace.inbox / "a.csv").write_text(
        HEADER + "BIG-1,Peeters BV,1500.00,20/11/2026\nSMALL,Peeters BV,10.00,20/11/2026\n",
        encoding="utf-8",
    )
    first = cli("daily", "-w", workspace.root, "--date", TODAY.isoformat())
    assert first.exit_code == 0
    (workspace.inbox / "b.csv").write_text(
        HEADER + "BIG-1,Peeters BV,999.00,20/11/2026\n", encoding="utf-8"
    )
    second = cli("daily", "-w", workspace.root, "--date", "2026-11-28", "--quiet")
    assert second.exit_code == 6
    assert "; kept selected after a downward amendment: BIG-1;" in second.stdout
    log = (workspace.logs / "inspect-cli.log").read_text(encoding="utf-8")
    assert "kept selected after a downward amendment (look at them): BIG-1" in log
    (workspace.inbox / "c.csv").write_text(
        HEADER + "BIG-1,Peeters BV,998.00,20/11/2026\n", encoding="utf-8"
    )
    third = cli("daily", "-w", workspace.root, "--date", "2026-11-29", "--format", "json")
    assert third.exit_code == 6
    data = json.loads(third.stdout)
    assert data["kept_after_downward_amendment"] == ["BIG-1"]
    assert data["exit_code"] == 6


def test_daily_without_kept_selections_lists_none(workspace, cli):
    (workspace.inbox / "a.csv").write_text(
        HEADER + "BIG-1,Peeters BV,1500.00,20/11/2026\n", encoding="utf-8"
    )
    result = cli("daily", "-w", workspace.root, "--date", TODAY.isoformat(), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["kept_after_downward_amendment"] == []
