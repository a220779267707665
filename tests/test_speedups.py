"""The speed-ups: half of a large draw is drawn in a second process, with the same result."""

from __future__ import annotations

import os
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import NOW, SEED, TODAY
from helpers import OTHER_RATES, RATES, decisions, ingest, random_ids, rows, select, write_orders

from inspect_cli import speedups
from inspect_cli.sampling import short_tickets
from inspect_cli.verify import verify
from inspect_cli.workspace import Workspace, init_workspace


@pytest.fixture
def share_every_draw(monkeypatch):
    """Share draws of any size with a helper, as select and verify do with large ones."""
    monkeypatch.setattr(speedups, "SPLIT_FROM", 2)


@pytest.fixture
def drawn(monkeypatch) -> list[int]:
    """How many order ids each helper was sent."""
    sent: list[int] = []
    real = speedups.Helper.draw

    def spy(self, seed, order_ids, modulus):
        sent.append(len(order_ids))
        return real(self, seed, order_ids, modulus)

    monkeypatch.setattr(speedups.Helper, "draw", spy)
    return sent


def test_a_shared_draw_decides_as_one_process_does(share_every_draw, drawn):
    ids = random_ids(3001)
    with speedups.helper(True) as helper:
        assert helper is not None
        for rate in RATES + OTHER_RATES:
            assert speedups.draw(SEED, ids, rate, helper) == short_tickets(SEED, ids, rate)
    assert drawn == [1501] * len(RATES + OTHER_RATES)  # the second half, each time


def test_draws_below_the_split_stay_in_this_process(drawn):
    ids = random_ids(500)
    with speedups.helper(True) as helper:
        assert speedups.draw(SEED, ids, Decimal("0.02"), helper) == short_tickets(
            SEED, ids, Decimal("0.02")
        )
    assert drawn == []


def test_no_helper_is_started_when_none_is_needed():
    with speedups.helper(False) as helper:
        assert helper is None


def test_a_helper_that_died_leaves_the_draw_to_this_process(share_every_draw):
    ids = random_ids(2000)
    with speedups.helper(True) as helper:
        assert helper is not None
        helper._process.kill()
        helper._process.wait()
        assert speedups.draw(SEED, ids, Decimal("0.3"), helper) == short_tickets(
            SEED, ids, Decimal("0.3")
        )


def test_ids_holding_a_nul_are_drawn_in_this_process(share_every_draw, drawn):
    ids = [f"A\x00{i}" for i in range(100)] + [f"B{i}" for i in range(100)]
    with speedups.helper(True) as helper:
        assert speedups.draw(SEED, ids, Decimal("0.5"), helper) == short_tickets(
            SEED, ids, Decimal("0.5")
        )
    assert drawn == [100]  # sent, answered with nothing, drawn here


def test_select_and_verify_with_a_helper_decide_as_without(tmp_path: Path, monkeypatch, drawn):
    orders = rows([f"H-{i:04d}" for i in range(400)]) + rows(["BIG-1"], "1000.01")
    path = write_orders(tmp_path / "orders.csv", orders)
    stores: dict[str, Workspace] = {}
    for name in ("alone", "helped"):
        if name == "helped":
            monkeypatch.setattr(speedups, "SPLIT_FROM", 2)
        ws, _ = init_workspace(tmp_path / name, SEED, NOW)
        ingest(ws, path)
        select(ws, TODAY)
        conn = ws.connect()
        try:
            assert verify(conn, SEED).ok
        finally:
            conn.close()
        stores[name] = ws
    # Every order gets its ticket (the rule reads it only when not above): 401 split in two.
    assert drawn == [201, 201]  # select's draw, then verify's
    assert decisions(stores["helped"]) == decisions(stores["alone"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice per thread is Linux's")
def test_work_behind_runs_at_a_lower_priority_and_leaves_the_callers_alone():
    """The board's figures run `behind` verify: their thread yields the cores, the rest of the
    process keeps its priority."""

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = priority()
    with speedups.behind(priority) as theirs:
        assert theirs() == min(before + speedups.BACKGROUND_NICE, 19)
    assert priority() == before


def test_work_behind_gives_its_result_and_raises_its_error():
    with speedups.behind(sum, [1, 2, 3]) as result:
        assert result() == 6
    with pytest.raises(ZeroDivisionError), speedups.behind(divmod, 1, 0) as failed:
        failed()
