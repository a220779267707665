"""An audit package checked as an outsider would: with consistent_sampler and the standard
library only. The checker below never imports inspect_cli; the tool runs as a subprocess."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
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
        for d in own:
            amount, order_id = int(d["amount_cents"]), d["order_id"]
            if order_id not in selected_at:
                if amount > threshold:
                    want = "above_threshold"
                elif Decimal(first_fraction(order_id, seed)) < rate:
                    want = "random_sample"
                else:
                    want = ""
            else:
                above = amount > threshold and selected_at[order_id] is None
                want = "amended_above_threshold" if above else "(no second decision)"
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
        }
        assert run["hash_recipe"] == "3"
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
