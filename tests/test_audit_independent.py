"""An audit package checked as an outsider would: with consistent_sampler and the standard
library only. The checker below never imports inspect_cli; the tool runs as a subprocess."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from consistent_sampler.consistent_sampler import first_fraction

REPO = Path(__file__).resolve().parents[1]
SEED = "37195408226615390473"


def tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inspect_cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check(package: Path, receipt: str) -> list[str]:
    """The auditor's own check of README.txt's recipes; returns what does not hold."""
    problems = []
    seed = (package / "seed.txt").read_text(encoding="utf-8").strip()
    commitment = (package / "seed-commitment.txt").read_text(encoding="utf-8").strip()
    if hashlib.sha256(seed.encode()).hexdigest() != commitment:
        problems.append("seed does not match its commitment")
    for entry in rows(package / "manifest.csv"):
        data = (package / entry["path"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"file {entry['path']} changed")
    decisions = rows(package / "decisions.csv")
    previous, selected_at = "0" * 64, {}
    for run in rows(package / "runs.csv"):
        own = sorted(
            (d for d in decisions if d["run_id"] == run["run_id"]), key=lambda d: d["order_id"]
        )
        threshold, rate = int(run["threshold_cents"]), Decimal(run["sample_rate"])
        groups = json.loads(run["split_groups"])
        for _, _, orders in groups:
            amounts = [cents for _, cents, _ in orders]
            days = [date.fromisoformat(on) for _, _, on in orders]
            if not (
                run["split_rule"] == "select"
                and all(0 < cents <= threshold for cents in amounts)
                and sum(amounts) > threshold
                and (max(days) - min(days)).days <= int(run["split_window_days"])
            ):
                problems.append(f"run {run['run_id']}: split group {orders} is none")
        members = {order_id for _, _, orders in groups for order_id, _, _ in orders}
        for d in own:
            amount, order_id = int(d["amount_cents"]), d["order_id"]
            if order_id not in selected_at:
                if amount > threshold:
                    want = "above_threshold"
                elif order_id in members:
                    want = "split_above_threshold"
                elif Decimal(first_fraction(order_id, seed)) < rate:
                    want = "random_sample"
                else:
                    want = ""
            elif selected_at[order_id] is None and amount > threshold:
                want = "amended_above_threshold"
            elif selected_at[order_id] is None and order_id in members:
                want = "split_above_threshold"
            else:
                want = "(no second decision)"
            if (want, want != "") != (d["reason"], d["selected"] == "1"):
                problems.append(f"run {run['run_id']} order {order_id}: {d['reason']} != {want}")
            if d["selected"] == "1" and selected_at.get(order_id) is None:
                selected_at[order_id] = amount
            selected_at.setdefault(order_id, None)
        document = {
            "run_id": int(run["run_id"]),
            "created_at": run["created_at"],
            "as_of": run["as_of"],
            "seed_commitment": run["seed_commitment"],
            "threshold_cents": threshold,
            "sample_rate": run["sample_rate"],
            "due_working_days": int(run["due_working_days"]),
            "counts": json.loads(run["counts"]),
            "decisions": {
                "order_id": [d["order_id"] for d in own],
                "amount_cents": [int(d["amount_cents"]) for d in own],
                "selected": [int(d["selected"]) for d in own],
                "reason": [d["reason"] or None for d in own],
                "due_on": [d["due_on"] or None for d in own],
            },
            "kept_after_downward_amendment": json.loads(run["kept_after_downward_amendment"]),
            "imports": json.loads(run["imports"]),
            "prev_hash": run["prev_hash"],
            "split_rule": run["split_rule"],
            "split_window_days": int(run["split_window_days"]),
            "split_groups": groups,
        }
        assert run["hash_recipe"] == "4"
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        if hashlib.sha256(text.encode("ascii")).hexdigest() != run["hash"]:
            problems.append(f"run {run['run_id']}: hash does not match")
        if run["prev_hash"] != previous:
            problems.append(f"run {run['run_id']}: chain broken")
        previous = run["hash"]
    if f"hash {previous}" not in receipt:
        problems.append("the last run's hash is not the receipted one")
    return problems


def rewrite(path: Path, change) -> None:
    """Edit a CSV of the package in place, one row at a time."""
    table = rows(path)
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(table[0]), lineterminator="\n")
        out.writeheader()
        for row in table:
            out.writerow(change(row) or row)


def test_a_package_of_the_examples_checks_out_and_shows_tampering(tmp_path: Path):
    ws = tmp_path / "ws"
    assert tool("init", str(ws), "--seed", SEED).returncode == 0
    for source in (REPO / "examples" / "inbox").iterdir():
        (ws / "inbox" / source.name).write_bytes(source.read_bytes())
    daily = tool("daily", "-w", str(ws), "--date", "2026-11-27")
    assert daily.returncode == 3, daily.stderr  # the examples hold bad rows on purpose
    receipt = daily.stdout.splitlines()[-1]
    seed_file = tmp_path / "seed"
    seed_file.write_text(SEED)
    package = tmp_path / "package"
    packed = tool("audit", "pack", "-w", str(ws), str(package), "--seed-file", str(seed_file))
    assert packed.returncode == 0, packed.stderr
    assert check(package, receipt) == []
    assert tool("verify", "--package", str(package)).returncode == 0

    drawn = next(d for d in rows(package / "decisions.csv") if d["reason"] == "")
    big = next(d for d in rows(package / "decisions.csv") if d["reason"] == "above_threshold")

    def flip(row):
        if row["order_id"] == drawn["order_id"]:
            return {**row, "selected": "1", "reason": "random_sample", "due_on": "2026-12-11"}
        if row["order_id"] == big["order_id"]:
            return {**row, "amount_cents": "51882", "selected": "0", "reason": "", "due_on": ""}
        return None

    rewrite(package / "decisions.csv", flip)
    found = check(package, receipt)
    assert f"run 1 order {drawn['order_id']}: random_sample != " in found
    assert "run 1: hash does not match" in found
    verified = tool("verify", "--package", str(package))
    assert verified.returncode == 1
    assert f"order {drawn['order_id']} (run 1): stored random_sample, recomputed not_selected" in (
        verified.stdout
    )


def test_split_groups_in_a_package_check_out_and_show_tampering(tmp_path: Path):
    """Under split_rule "select", a group that crosses the threshold in the second run: the
    package lists it with its run, the outsider's check redoes it, and an edited group shows."""
    ws = tmp_path / "ws"
    assert tool("init", str(ws), "--seed", SEED).returncode == 0
    config = ws / "inspect-cli.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('split_rule = "report"', 'split_rule = "select"'), "utf-8")
    header = "order_id,contractor,amount_excl_vat,completed_on,dwelling_id\n"
    (ws / "inbox" / "a.csv").write_text(
        header + "SP-1,Janssens,400.00,2026-11-02,W-7\nSP-2,Janssens,400.00,2026-11-10,W-7\n",
        encoding="utf-8",
    )
    assert tool("daily", "-w", str(ws), "--date", "2026-11-12").returncode == 0
    (ws / "inbox" / "b.csv").write_text(
        header + "SP-3,Janssens,400.00,2026-11-20,W-7\n", encoding="utf-8"
    )
    daily = tool("daily", "-w", str(ws), "--date", "2026-11-27")
    assert daily.returncode == 0, daily.stderr
    receipt = daily.stdout.splitlines()[-1]
    seed_file = tmp_path / "seed"
    seed_file.write_text(SEED)
    package = tmp_path / "package"
    packed = tool("audit", "pack", "-w", str(ws), str(package), "--seed-file", str(seed_file))
    assert packed.returncode == 0, packed.stderr
    second = rows(package / "runs.csv")[1]
    assert json.loads(second["split_groups"]) == [
        [
            "Janssens",
            "id:w-7",
            [
                ["SP-1", 40000, "2026-11-02"],
                ["SP-2", 40000, "2026-11-10"],
                ["SP-3", 40000, "2026-11-20"],
            ],
        ]
    ]
    reasons = {d["order_id"]: d["reason"] for d in rows(package / "decisions.csv")}
    assert set(reasons.values()) <= {"", "random_sample", "split_above_threshold"}
    assert check(package, receipt) == []
    assert tool("verify", "--package", str(package)).returncode == 0

    def shrink(row):
        if row["run_id"] == "2":
            groups = json.loads(row["split_groups"])
            groups[0][2][2][1] = 10000  # SP-3 at 100.00: 900.00 together, no group
            return {**row, "split_groups": json.dumps(groups, separators=(",", ":"))}
        return None

    rewrite(package / "runs.csv", shrink)
    found = check(package, receipt)
    assert "run 2: hash does not match" in found
    assert any(p.startswith("run 2: split group") for p in found)
    verified = tool("verify", "--package", str(package))
    assert verified.returncode == 1
    assert "not a split group: its total 900.00 is not above the threshold" in verified.stdout
