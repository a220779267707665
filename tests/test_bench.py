"""The benchmark runs end to end on a tiny N, and its correctness check has teeth."""

import importlib.util
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "wait4"), reason="Unix only (os.wait4)"),
]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    bench = load_bench()
    work = tmp_path_factory.mktemp("bench")
    out = work / "bench.json"
    code = bench.main(
        ["--orders", "2000", "--repeat", "1", "--json", str(out), "--keep", str(work)]
    )
    return bench, work, code, json.loads(out.read_text(encoding="utf-8"))


def test_selections_equal_the_reference(run):
    _, _, code, result = run
    assert result["correctness"]["ok"], result["correctness"]["problems"]
    assert result["correctness"]["checked"] >= 1_900
    assert result["correctness"]["mismatches"] == 0
    failed = [name for name, s in result["steps"].items() if s["status"] == "failed"]
    assert code == (2 if failed else 0)


def test_json_has_every_step_ratio_and_the_machine(run):
    _, _, _, result = run
    assert result["orders"] == 2000
    steps = result["steps"]
    for name in ("baseline", "ingest", "select", "export", "verify", "report"):
        assert name in steps
    for name in ("daily_10k", "daily_n", "daily_n_backlog", "help", "import_typer"):
        assert name in steps
    for name in ("baseline", "ingest", "select", "help", "import_typer"):
        assert steps[name]["status"] == "ok"
        assert steps[name]["wall_s"] > 0
        assert 5 < steps[name]["peak_mb"] < 4096
    assert len(steps["help"]["walls_s"]) == 3
    # Each ratio compares a step with its reference timed right before each of its runs.
    for name, reference in (("ingest", "baseline"), ("help", "import_typer")):
        assert steps[name]["paired_with"] == reference
        assert len(steps[name]["paired_walls_s"]) == len(steps[name]["walls_s"])
    ratios = {r["what"]: r for r in result["ratios"]}
    assert ratios["ingest N orders"]["target"] == "<= 3.0x baseline"
    assert ratios["ingest N orders"]["value"] > 0
    assert {"cores", "memory_gb", "python", "platform"} <= set(result["machine"])


def test_a_tampered_decision_is_caught(run):
    bench, work, _, _ = run
    store = work / "select-run" / "inspect-cli.sqlite"
    conn = sqlite3.connect(store)
    conn.execute(
        "UPDATE decisions SET selected = 1, reason = 'random_sample' "
        "WHERE order_id = (SELECT order_id FROM decisions WHERE selected = 0 LIMIT 1)"
    )
    conn.commit()
    conn.close()
    check = bench.check_selections(work / "select-run")
    assert not check["ok"]
    assert check["mismatches"] == 1


def test_the_daily_stores_are_inspected_but_one_order_in_fifty(run):
    _, work, _, _ = run
    for name, inspected in (("store-10k", True), ("store-n", True), ("select-run", False)):
        conn = sqlite3.connect(work / name / "inspect-cli.sqlite")
        selected, outcomes = conn.execute(
            "SELECT (SELECT COUNT(*) FROM decisions WHERE selected = 1), "
            "(SELECT COUNT(*) FROM inspections)"
        ).fetchone()
        conn.close()
        open_ = selected - outcomes
        assert selected > 100
        if inspected:
            assert 0 < open_ <= selected // 50 + 1, name
        else:
            assert outcomes == 0, name
