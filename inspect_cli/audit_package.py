"""``audit pack``: what an auditor takes away, checkable without inspect-cli.

A package is a folder of plain files: decisions.csv and runs.csv (every decision and run, with
the populations the run hashes cover), files/ (the archived original files) with manifest.csv
(their SHA-256), seed-commitment.txt, seed.txt once the seed is revealed or given, and
README.txt with the recipes. `check_package` is ``verify --package``; the recipes in README.txt
let anyone redo it with Python's standard library and ``consistent_sampler``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from inspect_cli import store
from inspect_cli.archive_check import archived_files
from inspect_cli.errors import InspectError
from inspect_cli.rule import (
    ABOVE_THRESHOLD,
    AMENDED_ABOVE_THRESHOLD,
    KEPT_AFTER_DOWNWARD,
    NOT_SELECTED,
    REASONS,
    SPLIT_ABOVE_THRESHOLD,
    decide_order,
)
from inspect_cli.sampling import seed_commitment, ticket
from inspect_cli.selection import GENESIS_HASH, run_hash
from inspect_cli.store import selections as db
from inspect_cli.workdays import due_date

DECISION_FIELDS = (
    "run_id",
    "order_id",
    "contractor",
    "amount_cents",
    "ticket",
    "selected",
    "reason",
    "due_on",
)
RUN_FIELDS = (
    "run_id",
    "created_at",
    "as_of",
    "seed_commitment",
    "threshold_cents",
    "sample_rate",
    "due_working_days",
    "counts",
    "decided",
    KEPT_AFTER_DOWNWARD,
    "imports",
    "split_rule",
    "split_window_days",
    "split_groups",
    "hash_recipe",
    "prev_hash",
    "hash",
)
MANIFEST_FIELDS = ("import_id", "file_name", "imported_at", "sha256", "path")


class PackageError(InspectError):
    """The package folder cannot be written or read."""


@dataclass(frozen=True)
class Package:
    folder: Path
    runs: int
    decisions: int
    files: int
    seed_included: bool


def write_package(
    conn: sqlite3.Connection, archive: Path, folder: Path, seed: str | None
) -> Package:
    """Write the package of the store into `folder` (new or empty). `seed` (checked against
    the commitment by the caller) fills the ticket column and seed.txt; None leaves them out."""
    if folder.exists() and any(folder.iterdir()):
        raise PackageError(f"{folder} is not empty: an audit package goes into a new folder")
    commitment = store.seed_commitment(conn) or ""
    with db.snapshot(conn):
        runs = db.runs(conn)
        kept, pinned = db.run_population(conn)
        split_rules, split_groups = db.run_split_rules(conn)
        order_ids, run_ids, amounts, selected, reasons, due = db.decision_columns(conn)
        contractors = db.order_contractors(conn, order_ids)
        imports = db.order_imports(conn)
    (folder / "files").mkdir(parents=True, exist_ok=True)
    decided: dict[int, int] = {}
    for run_id in run_ids:
        decided[run_id] = decided.get(run_id, 0) + 1
    with _writer(folder / "runs.csv", RUN_FIELDS) as out:
        for run in runs:
            out.writerow(
                [
                    *run[:7],
                    json.dumps(run[7], sort_keys=True, separators=(",", ":")),
                    decided.get(run[0], 0),
                    json.dumps(kept.get(run[0], []), separators=(",", ":")),
                    json.dumps([list(p) for p in pinned.get(run[0], [])], separators=(",", ":")),
                    *split_rules.get(run[0], ("", "")),
                    json.dumps(
                        [
                            [c, d, [list(m) for m in ms]]
                            for c, d, ms in split_groups.get(run[0], [])
                        ],
                        separators=(",", ":"),
                    ),
                    run[10],
                    run[8],
                    run[9],
                ]
            )
    with _writer(folder / "decisions.csv", DECISION_FIELDS) as out:
        for row in zip(order_ids, run_ids, amounts, selected, reasons, due, strict=True):
            order_id, run_id, amount, chosen, reason, due_on = row
            drawn = reason not in (ABOVE_THRESHOLD, AMENDED_ABOVE_THRESHOLD, SPLIT_ABOVE_THRESHOLD)
            out.writerow(
                [
                    run_id,
                    order_id,
                    contractors.get(order_id, ""),
                    amount,
                    ticket(seed, order_id) if seed is not None and drawn else "",
                    chosen,
                    reason or "",
                    due_on or "",
                ]
            )
    archived = archived_files(archive)
    copied = 0
    with _writer(folder / "manifest.csv", MANIFEST_FIELDS) as out:
        for import_id, name, sha256, imported_at in imports:
            paths = archived.get(sha256)
            target = ""
            if paths:
                target = f"files/{import_id}-{Path(name).name}"
                shutil.copyfile(paths[0], folder / target)
                copied += 1
            out.writerow([import_id, name, imported_at, sha256, target])
    (folder / "seed-commitment.txt").write_text(f"{commitment}\n", encoding="utf-8")
    if seed is not None:
        (folder / "seed.txt").write_text(f"{seed}\n", encoding="utf-8")
    (folder / "README.txt").write_text(README, encoding="utf-8")
    return Package(folder, len(runs), len(order_ids), copied, seed is not None)


@contextmanager
def _writer(path: Path, header: tuple[str, ...]) -> Iterator[Any]:
    """A CSV file with its header: UTF-8, comma, "\\n" line ends, what csv.DictReader reads."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        yield writer


def check_package(folder: Path, seed: str | None = None) -> list[str]:
    """``verify --package``: the package checked on its own, no workspace. Returns the
    problems found, each a line naming what it concerns."""
    problems: list[str] = []
    try:
        runs = list(_read(folder / "runs.csv"))
        decisions = list(_read(folder / "decisions.csv"))
        manifest = list(_read(folder / "manifest.csv"))
        commitment = (folder / "seed-commitment.txt").read_text(encoding="utf-8").strip()
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        raise PackageError(f"{folder} is not a readable audit package: {e}") from None
    if seed is None and (folder / "seed.txt").is_file():
        seed = (folder / "seed.txt").read_text(encoding="utf-8").strip()
    if seed is not None and seed_commitment(seed) != commitment:
        problems.append(f"the seed does not match the commitment {commitment}")
        seed = None
    problems.extend(_check_manifest(folder, manifest))
    by_run: dict[str, list[dict[str, str]]] = {}
    for row in decisions:
        by_run.setdefault(row.get("run_id", ""), []).append(row)
    previous = GENESIS_HASH
    selected_at: dict[str, int | None] = {}
    for run in runs:
        rows = sorted(by_run.pop(run.get("run_id", ""), []), key=lambda r: r.get("order_id", ""))
        try:
            problems.extend(_check_run(run, rows, previous, commitment))
            problems.extend(_check_split_groups(run))
            problems.extend(_check_decisions(run, rows, seed, selected_at))
        except (KeyError, ValueError, TypeError, InvalidOperation) as e:
            problems.append(f"run {run.get('run_id')}: malformed record ({e})")
        previous = run.get("hash", "")
    problems.extend(f"run {run_id}: decisions of a run not in runs.csv" for run_id in by_run)
    return problems


def _read(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _check_manifest(folder: Path, manifest: list[dict[str, str]]) -> list[str]:
    problems = []
    for row in manifest:
        if not row.get("path"):
            name = f"import {row.get('import_id')} ({row.get('file_name')})"
            problems.append(f"{name}: not in the package")
            continue
        path = (folder / row["path"]).resolve()
        if not path.is_relative_to((folder / "files").resolve()):
            problems.append(f"{row['path']}: not a file of the package's files/ folder")
        elif not path.is_file():
            problems.append(f"{row['path']}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != row.get("sha256"):
            problems.append(f"{row['path']}: its SHA-256 differs from the manifest")
    return problems


def _check_run(
    run: dict[str, str], rows: list[dict[str, str]], previous: str, commitment: str
) -> list[str]:
    """The run's hash recomputed from runs.csv and decisions.csv, and its link."""
    run_id = int(run["run_id"])
    columns = (
        [r["order_id"] for r in rows],
        [int(r["amount_cents"]) for r in rows],
        [int(r["selected"]) for r in rows],
        [r["reason"] or None for r in rows],
        [r["due_on"] or None for r in rows],
    )
    recipe = int(run["hash_recipe"])
    digest = run_hash(
        run_id=run_id,
        created_at=run["created_at"],
        as_of=run["as_of"],
        seed_commitment=run["seed_commitment"],
        threshold_cents=int(run["threshold_cents"]),
        sample_rate=run["sample_rate"],
        due_working_days=int(run["due_working_days"]),
        counts=json.loads(run["counts"]),
        decisions=list(zip(*columns, strict=True)) if recipe == 1 else columns,
        prev_hash=run["prev_hash"],
        recipe=recipe,
        kept=json.loads(run[KEPT_AFTER_DOWNWARD]),
        imports=[tuple(p) for p in json.loads(run["imports"])],
        split_rule=run.get("split_rule") or "",
        split_window_days=int(run.get("split_window_days") or 0),
        split_groups=_split_groups(run),
    )
    problems = []
    if digest != run["hash"]:
        problems.append(f"run {run_id}: its hash does not match its record and decisions")
    if run["prev_hash"] != previous:
        problems.append(f"run {run_id}: does not link to the run before it")
    if run["seed_commitment"] != commitment:
        problems.append(f"run {run_id}: made with another seed commitment")
    return problems


def _split_groups(run: dict[str, str]) -> list[Any]:
    """The run's split groups as runs.csv lists them (none for runs before recipe 4)."""
    return json.loads(run.get("split_groups") or "[]")


def _check_split_groups(run: dict[str, str]) -> list[str]:
    """Each split group the run recorded must be one by the rule, on its recorded amounts
    and dates, under the run's threshold and window."""
    groups = _split_groups(run)
    if not groups:
        return []
    if run.get("split_rule") != "select":
        return [f"run {run['run_id']}: records split groups without the split rule"]
    from inspect_cli.splits import why_not_a_group  # loaded only for a package that needs it

    return [
        f"run {run['run_id']}: split group {', '.join(m[0] for m in members)}: "
        f"not a split group: {why}"
        for _, _, members in groups
        for why in why_not_a_group(
            [tuple(m) for m in members],
            threshold_cents=int(run["threshold_cents"]),
            window_days=int(run["split_window_days"]),
        )
    ]


def _check_decisions(
    run: dict[str, str],
    rows: list[dict[str, str]],
    seed: str | None,
    selected_at: dict[str, int | None],
) -> list[str]:
    """Each decision of the run decided again by the rule (its ticket from the seed, else from
    the ticket column when the seed is not known, else only the threshold)."""
    problems = []
    rule = partial(
        decide_order,
        threshold_cents=int(run["threshold_cents"]),
        sample_rate=Decimal(run["sample_rate"]),
    )
    due = due_date(date.fromisoformat(run["as_of"]), int(run["due_working_days"])).isoformat()
    members = {m[0] for _, _, group in _split_groups(run) for m in group}
    for row in rows:
        order_id, amount = row["order_id"], int(row["amount_cents"])
        if seed is not None and row["ticket"] and row["ticket"] != ticket(seed, order_id):
            problems.append(f"order {order_id} (run {run['run_id']}): its ticket is not the seed's")
        before = order_id in selected_at
        try:
            outcome = rule(
                amount,
                ticket(seed, order_id) if seed is not None else (row["ticket"] or None),
                decided_before=before,
                selected_at=selected_at.get(order_id),
                in_split_group=order_id in members,
            )
        except ValueError:
            continue  # its ticket is needed and unknown without the seed
        chosen = bool(int(row["selected"]))
        if outcome is None or outcome[1] == KEPT_AFTER_DOWNWARD:
            problems.append(f"order {order_id} (run {run['run_id']}): decided a second time")
        elif (outcome[0], outcome[1] or "") != (chosen, row["reason"]) or row["due_on"] != (
            due if outcome[0] else ""
        ):
            problems.append(
                f"order {order_id} (run {run['run_id']}): stored "
                f"{row['reason'] or NOT_SELECTED}, recomputed {outcome[1] or NOT_SELECTED}"
            )
        if chosen and selected_at.get(order_id) is None:
            selected_at[order_id] = amount
        else:
            selected_at.setdefault(order_id, None)
    if run["counts"]:
        counts = json.loads(run["counts"])
        recount = {
            r: sum(1 for row in rows if row["reason"] == r)
            for r in REASONS
            if int(run["hash_recipe"]) >= 4 or r != SPLIT_ABOVE_THRESHOLD
        }
        recount[NOT_SELECTED] = sum(1 for row in rows if not row["reason"])
        if any(counts.get(k) != v for k, v in recount.items()):
            problems.append(f"run {run['run_id']}: its counts do not match its decisions")
    return problems


README = """\
Audit package of an inspect-cli workspace
==========================================

inspect-cli selects the repair orders of a housing company for inspection: every order above a
threshold (EUR 1,000.00) and a random sample (2 %) of the others, by tickets drawn from a secret
seed. This folder lets you check every selection without inspect-cli, with Python's standard
library and the package consistent-sampler (pip install consistent-sampler).

Files
-----
runs.csv        one row per selection run: run_id, created_at, as_of, seed_commitment,
                threshold_cents, sample_rate, due_working_days, counts (JSON), decided (how
                many decisions), kept_after_downward_amendment (JSON list of order ids),
                imports (JSON list of [import_id, sha256]: the files imported since the run
                before), split_rule ("report" or "select"), split_window_days, split_groups
                (JSON list of the split groups the run acted on, each [contractor, dwelling,
                [[order_id, amount_cents, completed_on], ...]]), hash_recipe, prev_hash, hash.
decisions.csv   one row per decision of every run: run_id, order_id, contractor, amount_cents
                (the amount the decision was made on, in euro cents excl. VAT), ticket (the
                full decimal ticket, for decisions that went through the draw, when the seed
                is known), selected (0/1), reason, due_on.
manifest.csv    the original files imported: import_id, file_name, imported_at, sha256, path
                (under files/; empty when the archived file was not found).
seed-commitment.txt   SHA-256 (hex) of the seed, published when the workspace was made.
seed.txt        the seed, once revealed (absent before).

Recipes
-------
1. The seed: sha256(seed as UTF-8).hexdigest() must equal seed-commitment.txt.
2. The ticket of an order: consistent_sampler.first_fraction(order_id, seed), that is
   n = int(sha256_hex(sha256_hex(seed) + order_id), 16); ticket = "0." + the decimal digits
   of n, zero-padded to at least 64 digits, reversed.
3. A decision, with the threshold and rate of its run (compare as exact decimals):
   - an order's first decision: "above_threshold" if amount_cents is greater than threshold_cents;
     otherwise "split_above_threshold" if the order is in one of its run's split_groups;
     otherwise "random_sample" if Decimal(ticket) < Decimal(sample_rate); otherwise not
     selected (reason empty, selected 0);
   - a later decision only when the order was not selected before and was amended above the
     threshold ("amended_above_threshold") or is in one of its run's split_groups
     ("split_above_threshold");
   - each split group of a run (split_rule "select"): every amount_cents above 0 and at most
     threshold_cents, their sum above threshold_cents, the completion dates at most
     split_window_days apart; the group names its one contractor and dwelling;
   - due_on of a selected order: due_working_days Belgian working days after as_of.
4. A run's hash (hash_recipe 4): SHA-256 of the JSON text of the object
     {"as_of", "counts", "created_at", "decisions", "due_working_days", "imports",
      "kept_after_downward_amendment", "prev_hash", "run_id", "sample_rate",
      "seed_commitment", "split_groups", "split_rule", "split_window_days",
      "threshold_cents"}
   written with json.dumps(document, sort_keys=True, separators=(",", ":"),
   ensure_ascii=True), encoded as ASCII. run_id, threshold_cents and due_working_days are
   integers, and so is split_window_days; split_rule is text; counts,
   kept_after_downward_amendment, imports and split_groups are the JSON of runs.csv;
   decisions is an object of five lists, "order_id", "amount_cents" (integers), "selected"
   (0/1), "reason" and "due_on" (null when empty), one entry per decision of the run sorted
   by order_id. hash_recipe 3 leaves out "split_groups", "split_rule" and
   "split_window_days"; hash_recipe 2 also leaves out "imports" and
   "kept_after_downward_amendment";
   hash_recipe 1 also writes decisions as rows [order_id, amount_cents, selected, reason,
   due_on] sorted by order_id.
5. The chain: the first run's prev_hash is 64 zeros, every later run's prev_hash is the hash of
   the run before it. Compare the last hash with the receipt you received the day the run was
   made: a match pins every run up to it.
6. The files: sha256 of each file under files/ must equal its manifest row and the imports
   entry of the run that pinned it; each decision's amount_cents is the amount the latest file
   imported before its run gives that order.
"""
