"""The ``show`` report: an order's values, what each amendment changed, each decision and why,
and the split group it belongs to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import SEED, TODAY
from consistent_sampler.consistent_sampler import first_fraction
from helpers import ids_by_ticket, ingest, rows, select, write_orders

from inspect_cli.errors import UnknownOrder
from inspect_cli.order_report import order_report
from inspect_cli.rule import AMENDED_ABOVE_THRESHOLD
from inspect_cli.workspace import Workspace

LIMITS = {"threshold_cents": 100000, "split_window_days": 30}


def test_order_report_explains_the_decision(workspace: Workspace, tmp_path: Path):
    (order_id,) = ids_by_ticket(1, hit=False)
    ingest(workspace, write_orders(tmp_path / "a.csv", rows([order_id], "800.00")))
    select(workspace)
    ingest(workspace, write_orders(tmp_path / "b.csv", rows([order_id], "1800.00")))
    select(workspace)
    conn = workspace.connect()
    report = order_report(conn, order_id, seed=SEED, today=date(2026, 12, 20), **LIMITS)
    assert report["order"]["amount_cents"] == 180000
    assert report["ticket"] == first_fraction(order_id, SEED)[:14]
    assert [i["file"] for i in report["imports"]] == ["a.csv", "b.csv"]
    assert report["revisions"][0]["old_values"]["amount_cents"] == 80000
    first, second = report["decisions"]
    assert (first["selected"], first["reason"], first["sample_rate"]) == (False, None, "0.02")
    assert first["why"] == (
        f"amount 800.00 is not above 1000.00; ticket {report['ticket']}… is not below the rate 0.02"
    )
    assert second["reason"] == AMENDED_ABOVE_THRESHOLD
    assert second["why"] == "amended to 1800.00, above the threshold 1000.00: mandatory control"
    assert report["status"] == "open, due on 2026-12-11 (overdue)"
    # A seed that is not the committed one would show a wrong ticket: none is shown.
    other = order_report(conn, order_id, seed="not the seed", today=TODAY, **LIMITS)
    assert other["ticket"] is None
    assert other["decisions"][0]["why"].endswith("its ticket is not below the rate 0.02")
    with pytest.raises(UnknownOrder, match="unknown order 'nope'"):
        order_report(conn, "nope", seed=SEED, today=TODAY, **LIMITS)
    conn.close()
