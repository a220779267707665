"""Where the time of one step goes: its phases as a timeline, thread by thread.

Runs an `inspect-cli` command in this process with a timer around the functions that make up
its phases, and prints when each started and ended (seconds since this process started) and
in which thread, with the wall and CPU time of the whole. Profiles of the benchmark's steps
are kept in benchmarks/profiles/; to make them again on a prepared workspace (`bench.py --keep
DIR`), copy it first, since the command changes it:

    cp -r DIR/ingest-run /tmp/p && python benchmarks/timeline.py select -w /tmp/p --date 2027-02-15
    cp -r DIR/select-run /tmp/p && python benchmarks/timeline.py verify -w /tmp/p
    cp -r DIR/empty /tmp/p && python benchmarks/timeline.py ingest -w /tmp/p DIR/data/*.csv
    python benchmarks/timeline.py parse DIR/data/*.csv

`ingest` parses a large file in a worker process, whose phases this process cannot see: its
timeline shows the main process storing chunks and waiting for them. `parse` does the worker's
work alone in this process, chunk by chunk, and sums its phases.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import sys
import threading
import time
from collections import Counter
from pathlib import Path

START = time.perf_counter()

PHASES = {
    "ingest": [
        ("inspect_cli.ingest", "file_sha256"),
        ("inspect_cli.store.orders", "store_chunk"),
        ("inspect_cli.store.orders", "_insert_columns"),
        ("inspect_cli.store.orders", "merge_staged"),
    ],
    "select": [
        ("inspect_cli.store.selections", "pending_decided"),
        ("inspect_cli.store.selections", "pending_new"),
        ("inspect_cli.store.selections", "insert_new_decisions"),
        ("inspect_cli.store.selections", "mark_selected"),
        ("inspect_cli.store.selections", "clear_pending"),
        ("inspect_cli.selection", "decide"),
        ("inspect_cli.selection", "due_date"),
        ("inspect_cli.selection", "run_hash"),
        ("inspect_cli.speedups", "draw"),
        ("inspect_cli.speedups", "ticket_heads"),
    ],
    "verify": [
        ("inspect_cli.store.selections", "decision_columns"),
        ("inspect_cli.store.selections", "settled_off_their_decisions"),
        ("inspect_cli.verify", "_due_dates"),
        ("inspect_cli.verify", "_check_decisions"),
        ("inspect_cli.verify", "_check_chain"),
        ("inspect_cli.speedups", "draw"),
        ("inspect_cli.speedups", "ticket_heads"),
        ("inspect_cli.verify", "run_hash"),
    ],
}
PARSE_PHASES = [
    ("inspect_cli.parsing", "parse_orders"),
    ("inspect_cli.parsing", "_stripped"),
    ("inspect_cli.parsing", "_amounts"),
    ("inspect_cli.parsing", "read_dates"),
    ("inspect_cli.parsing", "_id_hashes"),
    ("inspect_cli.parsing", "_staged_columns"),
]

spans: list[tuple[str, str, float, float]] = []


def _timed(module: str, name: str) -> None:
    owner = importlib.import_module(module)
    inner = getattr(owner, name)

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spans.append((name, threading.current_thread().name, began, time.perf_counter()))

    setattr(owner, name, timed)


def _time_worker_waits() -> None:
    """Time how long the importing process waits for each chunk of the worker."""
    from inspect_cli.parse_worker import ParseWorker

    chunks = ParseWorker.__iter__

    def waiting(self):
        parts = chunks(self)
        while True:
            began = time.perf_counter()
            try:
                parsed = next(parts)
            except StopIteration:
                return
            finally:
                spans.append(("wait for worker", "MainThread", began, time.perf_counter()))
            yield parsed

    ParseWorker.__iter__ = waiting


def run_command(step: str, argv: list[str]) -> None:
    for module, name in PHASES[step]:
        _timed(module, name)
    if step == "ingest":
        _time_worker_waits()
    from inspect_cli.cli.main import app

    imported = time.perf_counter()
    cpu = time.process_time()
    with contextlib.suppress(SystemExit):
        app([step, *argv])
    end = time.perf_counter()
    cpu = time.process_time() - cpu + (imported - START)
    print(f"{step} {' '.join(argv)}")
    print(f"imports done at {imported - START:.2f} s; ended at {end - START:.2f} s")
    print(f"CPU of this process {cpu:.2f} s (imports counted as CPU)")
    print()
    print(f"{'phase':24} {'thread':12} {'from':>6} {'to':>6} {'s':>6}")
    merged: dict[tuple[str, str], list[float]] = {}
    for name, thread, began, ended in sorted(spans, key=lambda s: s[2]):
        key = (name, thread[:12])
        if name in ("wait for worker", "store_chunk", "_insert_columns") and key in merged:
            merged[key][1] = ended - START  # chunk after chunk: one line from first to last
            merged[key][2] += ended - began
            continue
        merged[key] = [began - START, ended - START, ended - began]
    for (name, thread), (began, ended, total) in sorted(merged.items(), key=lambda i: i[1][0]):
        print(f"{name:24} {thread:12} {began:6.2f} {ended:6.2f} {total:6.2f}")


def parse_alone(path: Path) -> None:
    """The worker's work for `path`, in this process: reading, parsing and pickling chunks."""
    from inspect_cli import ingest, parsing

    for module, name in PARSE_PHASES:
        _timed(module, name)
    table, columns = parsing.open_orders(path, None, None, ingest.CHUNK_ROWS)
    parser = parsing.Parser(table, columns, None)
    chunks = parser.chunks
    totals: Counter[str] = Counter()

    def reading():
        while True:
            began = time.perf_counter()
            chunk = next(chunks, None)
            totals["read chunk (pandas)"] += time.perf_counter() - began
            if chunk is None:
                return
            yield chunk

    parser.chunks = reading()
    began = time.perf_counter()
    cpu = time.process_time()
    rows = 0
    while True:
        step = time.perf_counter()
        parsed = parser.next()
        totals["parse chunk (all)"] += time.perf_counter() - step
        if parsed is None:
            break
        rows += parsed.read
        step = time.perf_counter()
        pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
        totals["pickle for the pipe"] += time.perf_counter() - step
    for name, _, start, end in spans:
        totals[name] += end - start
    print(f"parse {path.name}: {rows:,} rows in {time.perf_counter() - began:.2f} s")
    print(f"(CPU {time.process_time() - cpu:.2f} s), the worker's work done alone")
    print()
    for name, seconds in totals.most_common():
        print(f"{name:24} {seconds:6.2f}")


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] not in (*PHASES, "parse"):
        sys.exit(__doc__)
    os.environ.setdefault("NO_COLOR", "1")
    if sys.argv[1] == "parse":
        parse_alone(Path(sys.argv[2]))
    else:
        run_command(sys.argv[1], sys.argv[2:])


if __name__ == "__main__":
    main()
