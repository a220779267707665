"""Benchmark of issue 6: is a million orders ordinary work, and does the daily run stay flat?

Every step runs as its own process, timed against `pandas.read_csv` of the same file run
right before each of its runs, so that the ratios hold on a slow or busy machine whose speed
drifts:

    python benchmarks/bench.py                    # N = 1,000,000 orders, every timing 3 times
    python benchmarks/bench.py --quick            # N = 50,000, once (CI)
    python benchmarks/bench.py --orders 200000 --json bench.json --keep /tmp/bench

Ratios are of median wall times; the CPU ratio (user + system time of the child) beside them
is less sensitive to a busy machine. Exit 0 when every step ran and the stored selections equal
a reference computation, 1 when they differ, 2 when a command failed. Timings against their
targets are reported, never a failure. Unix only (`os.wait4`); the peak memory of a step and
the processes it starts together is read from /proc on Linux.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "examples" / "generate.py"
CLI = [sys.executable, "-m", "inspect_cli"]
SEED = "20261127000000000042"
"""Fixed, so that the reference computation knows it."""
# The generator's Belgian file completes its orders in September 2026 (ids JAN-2026-…); the new
# orders of the daily run start in 2027 (ids JAN-2027-…), so they never collide with the store.
SELECT_DAY = "2027-02-15"
DAILY_DAY = "2027-02-16"
DAILY_START = "2027-01-01"
DAILY_ORDERS = 500
SMALL_STORE = 10_000
CHECK_ORDERS = 2_000
# The daily stores are inspected like a real one: every selected order has its outcome
# recorded except one in OPEN_ONE_IN, which is still open when the daily run comes. The record
# command refuses dates after today, so the visits are dated after the orders' completion in
# September 2026 but before the real today.
OPEN_ONE_IN = 50
INSPECTED_ON = "2026-10-30"
MB = 1024 * 1024
# ru_maxrss is in kilobytes on Linux and in bytes on macOS.
RSS_UNIT = 1 if sys.platform == "darwin" else 1024
# Ingest and daily exit 3 when rows were rejected: the generator plants bad rows on purpose.
INGEST_OK = (0, 3)
COMMANDS = ("init", "ingest", "select", "export", "verify", "report", "daily", "record")


@dataclass(frozen=True)
class Target:
    step: str
    against: str
    limit: float | None
    """None: shown for information, no target."""
    label: str


TARGETS = (
    Target("ingest", "baseline", 3.0, "ingest N orders"),
    Target("select", "baseline", 1.0, "select N orders"),
    Target("export", "baseline", 1.0, "export --status all"),
    Target("verify", "baseline", 1.0, "verify"),
    Target("report", "baseline", 1.0, "report contractors"),
    Target("report_board", "baseline", 2.0, "report board"),
    Target("report_splits", "baseline", 1.0, "report splits"),
    Target("report_signals", "baseline", 1.0, "report signals"),
    Target("daily_n", "daily_10k", 1.5, "daily, store of N vs 10k"),
    Target("daily_n_backlog", "daily_10k", None, "daily, N, nothing inspected"),
    Target("help", "import_typer", 2.0, "inspect-cli --help"),
)
PEAK_LIMIT_MB = 1.5 * 1024
PEAK_AT_ORDERS = 1_000_000
SCALING_LIMIT = 1.5


@dataclass
class Step:
    """Wall times and peak memory of one command, repeated; status ok, failed or skipped."""

    name: str
    command: str
    walls_s: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)
    cpus_s: list[float] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    status: str = "ok"
    note: str = ""
    paired_with: str | None = None
    """The step timed just before each run of this one, so that their ratio compares runs
    seconds apart: this machine's speed drifts over minutes."""
    paired_walls_s: list[float] = field(default_factory=list)
    paired_cpus_s: list[float] = field(default_factory=list)

    @property
    def wall_s(self) -> float | None:
        return statistics.median(self.walls_s) if self.walls_s else None

    @property
    def cpu_s(self) -> float | None:
        return statistics.median(self.cpus_s) if self.cpus_s else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.peaks_mb) if self.peaks_mb else None

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "wall_s": self.wall_s, "cpu_s": self.cpu_s, "peak_mb": self.peak_mb}


@dataclass(frozen=True)
class Reference:
    """A step to time again right before each run of another: its command, and where it runs."""

    name: str
    cmd: Callable[[Path], list[str]] | list[str]
    fresh: Callable[[int], Path] | None = None
    ok: tuple[int, ...] = (0,)


def _watch_rss(pid: int, done: threading.Event, peak: list[float]) -> None:
    """Keep in peak[0] the largest resident memory, in MB, of `pid` and its descendants
    together, looked at every 20 ms until `done`."""
    while not done.wait(0.02):
        peak[0] = max(peak[0], _tree_rss_kb(pid) / 1024)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants now, in kB (0 without /proc)."""
    total, todo = 0, [pid]
    while todo:
        process = Path("/proc") / str(todo.pop())
        try:
            for line in (process / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in (process / "task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # gone meanwhile, or no /proc
    return total


class CommandFailed(Exception):
    """A preparation command (not a timed one) exited with an unexpected code."""


class Bench:
    """One benchmark run: a work folder, the steps measured so far, and a log of all output."""

    def __init__(self, work: Path, repeat: int) -> None:
        self.work = work
        self.repeat = repeat
        self.log = work / "bench.log"
        self.steps: dict[str, Step] = {}
        self.available: set[str] = set()
        self.env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
        self.env.pop("INSPECT_CLI_HOME", None)

    def run(self, cmd: list[str]) -> tuple[float, float, float, int]:
        """Run one child; return its wall time, CPU time (user + system, its helper processes
        included), peak RSS in MB and exit code.

        The peak is that of the child and the processes it starts (ingest's parsing worker,
        the ticket helper of select and verify) together: a thread adds up their resident
        memory every 20 ms from /proc (Linux) while the child runs; wait4 gives the largest
        single process, which counts where /proc cannot be read. Output goes to the log file,
        never to a pipe, so a chatty child cannot block on it.
        """
        with self.log.open("ab") as out:
            out.write(f"\n$ {' '.join(cmd)}\n".encode())
            out.flush()
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env)
            done = threading.Event()
            together = [0.0]
            watch = threading.Thread(target=_watch_rss, args=(proc.pid, done, together))
            watch.start()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            done.set()
            watch.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        return wall, cpu, max(usage.ru_maxrss * RSS_UNIT / MB, together[0]), proc.returncode

    def tail(self, lines: int = 5) -> str:
        """The last lines of output, for a failure message (the log may be a temporary file)."""
        text = self.log.read_text(encoding="utf-8", errors="replace").strip()
        return "\n".join(text.splitlines()[-lines:])

    def prepare(self, cmd: list[str], ok: tuple[int, ...] = (0,)) -> None:
        *_, code = self.run(cmd)
        if code not in ok:
            raise CommandFailed(f"exit {code}: {' '.join(cmd)}\n{self.tail()}")

    def measure(
        self,
        name: str,
        cmd: Callable[[Path], list[str]] | list[str],
        fresh: Callable[[int], Path] | None = None,
        ok: tuple[int, ...] = (0,),
        needs: str | None = None,
        repeat: int | None = None,
        paired: Reference | None = None,
    ) -> Step:
        """Time `cmd` `repeat` times; with `fresh`, each time in a workspace fresh(i) returns;
        with `paired`, time that reference right before each run.

        A command the CLI does not have yet is skipped with a note; one that exits with an
        unexpected code is marked failed and not repeated.
        """
        shown = cmd(Path("WS")) if callable(cmd) else cmd
        step = Step(name, " ".join(Path(a).name if a == sys.executable else a for a in shown))
        self.steps[name] = step
        if needs is not None and needs not in self.available:
            step.status, step.note = "skipped", f"`inspect-cli {needs}` does not exist yet"
            return step
        if paired is not None:
            step.paired_with = paired.name
        for i in range(repeat or self.repeat):
            ws = fresh(i) if fresh else self.work
            if paired is not None:
                where = paired.fresh(i) if paired.fresh else self.work
                reference = paired.cmd(where) if callable(paired.cmd) else paired.cmd
                wall, cpu, _, code = self.run(reference)
                if code in paired.ok:
                    step.paired_walls_s.append(wall)
                    step.paired_cpus_s.append(cpu)
            wall, cpu, peak, code = self.run(cmd(ws) if callable(cmd) else cmd)
            step.exit_codes.append(code)
            if code not in ok:
                step.status, step.note = "failed", f"exit {code}: {self.tail(1)}"
                break
            step.walls_s.append(wall)
            step.cpus_s.append(cpu)
            step.peaks_mb.append(peak)
        return step

    def copies(self, template: Path, stem: str) -> Callable[[int], Path]:
        """A factory of fresh copies of a prepared workspace; each copy replaces the last."""

        def fresh(i: int) -> Path:
            target = self.work / f"{stem}-run"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(template, target)
            # Write the copy out now: the step's own sync at COMMIT or close would otherwise
            # flush these hundreds of megabytes inside the timing.
            os.sync()
            return target

        return fresh


def generate(out: Path, orders: int, seed: int = 1, start: str | None = None) -> Path:
    """The project's deterministic generator, Belgian Excel shape; returns the file written."""
    cmd = [sys.executable, str(GENERATOR), "--out", str(out), "--orders", str(orders)]
    cmd += ["--shape", "be", "--seed", str(seed)]
    if start:
        cmd += ["--start", start]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    (path,) = out.glob("*.csv")
    return path


def reference_selected(
    seed: str, order_id: str, amount_cents: int, threshold: int, rate: Decimal
) -> tuple[int, str | None]:
    """The straightforward rule, written independently of inspect_cli.sampling.

    Above the threshold (strictly): mandatory. Otherwise the consistent_sampler ticket of the
    order decides: sampled when it is below the rate.
    """
    if amount_cents > threshold:
        return 1, "above_threshold"
    seed_hash = hashlib.sha256(seed.encode()).hexdigest()
    n = int(hashlib.sha256((seed_hash + order_id).encode()).hexdigest(), 16)
    ticket = Decimal("0." + f"{n:064d}"[::-1])
    return (1, "random_sample") if ticket < rate else (0, None)


def check_selections(ws: Path, sample: int = CHECK_ORDERS) -> dict[str, object]:
    """Compare the stored decisions of about `sample` orders (every k-th) with the reference.

    Also checks that every completed order was decided exactly once and no other was.
    """
    config = tomllib.loads((ws / "inspect-cli.toml").read_text(encoding="utf-8"))
    threshold = int(Decimal(config["threshold_eur"]) * 100)
    rate = Decimal(config["sample_rate"])
    seed = (ws / "seed.secret").read_text(encoding="utf-8").strip()
    conn = sqlite3.connect(f"file:{ws / 'inspect-cli.sqlite'}?mode=ro", uri=True)
    try:
        completed = conn.execute(
            "SELECT count(*) FROM orders WHERE completed_on IS NOT NULL"
        ).fetchone()[0]
        decided, decisions = conn.execute(
            "SELECT count(DISTINCT order_id), count(*) FROM decisions"
        ).fetchone()
        total = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
        step = max(1, total // sample)
        rows = conn.execute(
            "SELECT o.order_id, o.amount_cents, o.completed_on, d.selected, d.reason "
            "FROM orders o LEFT JOIN decisions d ON d.order_id = o.order_id "
            "WHERE o.rowid % ? = 0 ORDER BY o.order_id",
            (step,),
        ).fetchall()
    finally:
        conn.close()
    mismatches = []
    sampled = 0
    for order_id, amount, completed_on, selected, reason in rows:
        if completed_on is None:
            expected: tuple[int | None, str | None] = (None, None)
        else:
            expected = reference_selected(seed, order_id, amount, threshold, rate)
        sampled += expected[1] == "random_sample"
        if (selected, reason) != expected:
            mismatches.append(f"{order_id}: stored {(selected, reason)}, expected {expected}")
    problems = mismatches[:10]
    if not (completed == decided == decisions):
        problems.append(
            f"{completed} completed orders but {decisions} decisions on {decided} orders"
        )
    return {
        "checked": len(rows),
        "random_sample_in_subset": sampled,
        "mismatches": len(mismatches),
        "completed_orders": completed,
        "decided_orders": decided,
        "ok": bool(rows) and not problems,
        "problems": problems,
    }


def machine() -> dict[str, object]:
    info: dict[str, object] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pandas": metadata.version("pandas"),
        "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    if hasattr(os, "sched_getaffinity"):
        info["cores_usable"] = len(os.sched_getaffinity(0))
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        info["memory_gb"] = round(pages / 1024**3, 1)
    except (ValueError, OSError):
        pass
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    return info


def ratios(bench: Bench, orders: int, scaling: Step | None) -> list[dict[str, object]]:
    """Each target's measured ratio and whether it is met (None when it could not be measured)."""
    rows: list[dict[str, object]] = []
    for t in TARGETS:
        a, b = bench.steps.get(t.step), bench.steps.get(t.against)
        value = cpu = None
        if a and a.paired_with == t.against and a.walls_s and a.paired_walls_s:
            value = statistics.median(a.walls_s) / statistics.median(a.paired_walls_s)
            cpu = statistics.median(a.cpus_s) / statistics.median(a.paired_cpus_s)
        elif a and b and a.wall_s and b.wall_s and a.cpu_s and b.cpu_s:
            value, cpu = a.wall_s / b.wall_s, a.cpu_s / b.cpu_s
        rows.append(
            {
                "what": t.label,
                "value": value,
                "cpu_ratio": cpu,
                "target": f"<= {t.limit:.1f}x {t.against}"
                if t.limit is not None
                else f"(vs {t.against}, no target)",
                "met": None if value is None or t.limit is None else value <= t.limit,
            }
        )
    peak = bench.steps["ingest"].peak_mb if "ingest" in bench.steps else None
    rows.append(
        {
            "what": "ingest peak RSS (MB)",
            "value": peak,
            "target": f"<= {PEAK_LIMIT_MB:.0f} MB at N = {PEAK_AT_ORDERS:,}",
            "met": None if peak is None else peak <= PEAK_LIMIT_MB,
        }
    )
    if scaling is not None:
        value = scaling.peak_mb / peak if scaling.peak_mb and peak else None
        rows.append(
            {
                "what": "ingest peak RSS, 4xN vs N",
                "value": value,
                "target": f"< {SCALING_LIMIT:.1f}x",
                "met": None if value is None else value < SCALING_LIMIT,
            }
        )
    return rows


def table(bench: Bench, ratio_rows: list[dict[str, object]], orders: int) -> str:
    lines = [f"{'step':<14} {'median s':>9} {'cpu s':>6} {'peak MB':>8} {'runs':>4}  status"]
    lines.append("-" * 60)
    for s in bench.steps.values():
        wall = f"{s.wall_s:9.2f}" if s.wall_s is not None else f"{'-':>9}"
        cpu = f"{s.cpu_s:6.2f}" if s.cpu_s is not None else f"{'-':>6}"
        peak = f"{s.peak_mb:8.0f}" if s.peak_mb is not None else f"{'-':>8}"
        note = f" ({s.note})" if s.note else ""
        lines.append(f"{s.name:<14} {wall} {cpu} {peak} {len(s.walls_s):>4}  {s.status}{note}")
    heading = f"target (N = {orders:,})"
    lines += ["", "Each ratio: median of a step's runs over the median of its reference, timed"]
    lines += ["right before each of those runs (the machine's speed drifts over minutes)."]
    lines += ["", f"{heading:<30} {'ratio':>8} {'cpu':>6}  {'target':<28} met"]
    lines.append("-" * 82)
    for r in ratio_rows:
        value = r["value"]
        shown = f"{value:8.2f}" if isinstance(value, float) else f"{'-':>8}"
        cpu = r.get("cpu_ratio")
        shown += f" {cpu:6.2f}" if isinstance(cpu, float) else f" {'':>6}"
        met = {True: "yes", False: "NO", None: "-"}[r["met"]]  # type: ignore[index]
        lines.append(f"{r['what']:<30} {shown}  {r['target']:<28} {met}")
    return "\n".join(lines)


@contextmanager
def work_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
    else:
        with tempfile.TemporaryDirectory(prefix="inspect-bench-") as tmp:
            yield Path(tmp)


def available_commands(bench: Bench) -> set[str]:
    """The commands this checkout's CLI has (teammates may still be writing some)."""
    return {c for c in COMMANDS if bench.run([*CLI, c, "--help"])[-1] == 0}


def prepare_store(bench: Bench, name: str, path: Path) -> Path:
    """A workspace holding `path` ingested and selected as of SELECT_DAY."""
    ws = bench.work / name
    shutil.rmtree(ws, ignore_errors=True)
    bench.prepare([*CLI, "init", str(ws), "--seed", SEED])
    bench.prepare([*CLI, "ingest", "-w", str(ws), str(path)], ok=INGEST_OK)
    bench.prepare([*CLI, "select", "-w", str(ws), "--date", SELECT_DAY])
    return ws


def record_outcomes(bench: Bench, ws: Path) -> None:
    """Inspect the selected orders of `ws` but one in OPEN_ONE_IN, the way an inspector does:
    the open list goes out with `export`, comes back filled in and goes in with `record`.

    The list is copied line by line: this process must stay small, since every child it
    starts afterwards would report its memory as part of their own peak.
    """
    listed = bench.work / f"{ws.name}-open.csv"
    filled = bench.work / f"{ws.name}-inspected.csv"
    export = ["export", "-w", str(ws), "--status", "open", "--dialect", "standard"]
    bench.prepare([*CLI, *export, "--out", str(listed)])
    with (
        listed.open(encoding="utf-8", newline="") as src,
        filled.open("w", encoding="utf-8", newline="") as dst,
    ):
        rows, out = csv.reader(src), csv.writer(dst)
        header = next(rows)
        out.writerow(header)
        fill = {header.index(k): v for k, v in (("inspector", "Bench"), ("result", "ok"))}
        fill[header.index("inspected_on")] = INSPECTED_ON
        for n, row in enumerate(rows):
            if n % OPEN_ONE_IN:
                for i, value in fill.items():
                    row[i] = value
            out.writerow(row)
    bench.prepare([*CLI, "record", "-w", str(ws), "--from", str(filled)])


def benchmark(args: argparse.Namespace, work: Path) -> dict[str, object]:
    orders = args.orders
    bench = Bench(work, args.repeat)
    bench.log.write_text("")
    print(f"work folder {work}; generating {orders:,} orders ...", file=sys.stderr)
    data = generate(work / "data", orders)
    small = generate(work / "data-10k", SMALL_STORE)
    inbox = generate(work / "data-daily", DAILY_ORDERS, seed=2, start=DAILY_START)
    bench.available = available_commands(bench)
    missing = [c for c in ("init", "ingest") if c not in bench.available]
    if missing:
        raise CommandFailed(f"the CLI has no {', '.join(missing)} command")

    # The 10k daily store first: it also warms up bytecode caches for the timed runs.
    small_ws = None
    if {"select", "daily", "export", "record"} <= bench.available:
        small_ws = prepare_store(bench, "store-10k", small)
        record_outcomes(bench, small_ws)
    print("timing ...", file=sys.stderr)

    py = sys.executable
    read = "import sys, pandas; pandas.read_csv(sys.argv[1], sep=';', dtype=str, encoding='cp1252')"
    baseline = Reference("baseline", [py, "-c", read, str(data)])
    bench.measure("baseline", baseline.cmd)

    empty = work / "empty"
    shutil.rmtree(empty, ignore_errors=True)
    bench.prepare([*CLI, "init", str(empty), "--seed", SEED])
    ingest = bench.measure(
        "ingest",
        lambda ws: [*CLI, "ingest", "-w", str(ws), str(data)],
        fresh=bench.copies(empty, "ingest"),
        ok=INGEST_OK,
        paired=baseline,
    )
    ingested = work / "ingest-run"
    selected = work / "select-run"
    if ingest.status == "ok":
        bench.measure(
            "select",
            lambda ws: [*CLI, "select", "-w", str(ws), "--date", SELECT_DAY],
            fresh=bench.copies(ingested, "select"),
            needs="select",
            paired=baseline,
        )
    done = "select" in bench.steps and bench.steps["select"].status == "ok"
    for name, cmd in (
        ("export", ["export", "--status", "all", "--out", str(work / "export.csv")]),
        ("verify", ["verify"]),
        ("report", ["report", "contractors", "--date", SELECT_DAY]),
        (
            "report_board",
            ["report", "board", "--date", SELECT_DAY, "--out", str(work / "board.html")],
        ),
        # CSV: the generated dwellings see many orders each, so the groups run to thousands.
        ("report_splits", ["report", "splits", "--format", "csv"]),
        ("report_signals", ["report", "signals", "--format", "csv"]),
    ):
        if done:
            bench.measure(
                name,
                lambda ws, cmd=cmd: [*CLI, cmd[0], "-w", str(ws), *cmd[1:]],
                fresh=lambda i: selected,
                needs=cmd[0],
                paired=baseline,
            )
        else:
            bench.steps[name] = Step(name, cmd[0], status="skipped", note="no selected store")

    correctness: dict[str, object] = {"ok": False, "problems": ["no selected store to check"]}
    if done:
        correctness = check_selections(selected)

    if small_ws is not None and done:
        inspected = work / "store-n"
        shutil.rmtree(inspected, ignore_errors=True)
        shutil.copytree(selected, inspected)
        record_outcomes(bench, inspected)
        stores = (("daily_10k", small_ws), ("daily_n", inspected), ("daily_n_backlog", selected))
        daily = [*CLI, "daily", "-w", "{ws}", "--date", DAILY_DAY]

        def run_daily(ws: Path) -> list[str]:
            return [str(ws) if a == "{ws}" else a for a in daily]

        small_daily: Reference | None = None
        for name, store in stores:
            fresh = bench.copies(store, name)

            def with_inbox(i: int, fresh: Callable[[int], Path] = fresh) -> Path:
                ws = fresh(i)
                shutil.copy2(inbox, ws / "inbox" / inbox.name)
                return ws

            bench.measure(
                name,
                run_daily,
                fresh=with_inbox,
                ok=INGEST_OK,
                needs="daily",
                paired=small_daily,
            )
            if small_daily is None:
                small_daily = Reference(name, run_daily, fresh=with_inbox, ok=INGEST_OK)
    else:
        for name in ("daily_10k", "daily_n", "daily_n_backlog"):
            note = "`daily`, `select`, `export` or `record` missing or failed"
            bench.steps[name] = Step(name, "daily", status="skipped", note=note)

    help_repeat = max(3, args.repeat)
    import_typer = Reference("import_typer", [py, "-c", "import typer"])
    bench.measure("help", [*CLI, "--help"], repeat=help_repeat, paired=import_typer)
    bench.measure("import_typer", import_typer.cmd, repeat=help_repeat)

    scaling = None
    if args.memory_scaling:
        print(f"generating {4 * orders:,} orders for the memory scaling ...", file=sys.stderr)
        big = generate(work / "data-4n", 4 * orders)
        scaling = bench.measure(
            "ingest_4n",
            lambda ws: [*CLI, "ingest", "-w", str(ws), str(big)],
            fresh=bench.copies(empty, "ingest-4n"),
            ok=INGEST_OK,
            repeat=1,
        )
    ratio_rows = ratios(bench, orders, scaling)
    print(table(bench, ratio_rows, orders))
    verdict = "OK" if correctness["ok"] else "FAILED"
    print(
        f"\ncorrectness: {verdict}: {correctness.get('checked', 0)} orders checked against the "
        f"reference ({correctness.get('random_sample_in_subset', 0)} of them sampled), "
        f"{correctness.get('mismatches', '-')} mismatches"
    )
    for problem in correctness.get("problems", []):  # type: ignore[union-attr]
        print(f"  {problem}")
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    return {
        "orders": orders,
        "repeat": args.repeat,
        "machine": info,
        "steps": {name: s.to_json() for name, s in bench.steps.items()},
        "ratios": ratio_rows,
        "correctness": correctness,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="N (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="N = 50,000 and one repeat (CI)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median kept)")
    parser.add_argument("--json", type=Path, help="write every number to this file")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument(
        "--memory-scaling", action="store_true", help="also ingest 4 x N once (slow)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.orders, args.repeat = 50_000, 1
    with work_folder(args.keep) as work:
        try:
            result = benchmark(args, work)
        except CommandFailed as e:
            print(f"Error: {e}", file=sys.stderr)
            return 2
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not result["correctness"]["ok"]:  # type: ignore[index]
        return 1
    steps = result["steps"].values()  # type: ignore[union-attr]
    return 2 if any(s["status"] == "failed" for s in steps) else 0


if __name__ == "__main__":
    sys.exit(main())
