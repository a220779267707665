"""The daily run: inbox → ingest → archive or quarantine → select → inspection lists.

This is what cron calls, so it is built to be run blind, again and again:

- one run at a time: `workspace_lock` takes a lock the operating system releases when the
  process dies, so a killed run never blocks the next one;
- crash-safe: each file is one ingest transaction, and the file leaves the inbox only after that
  transaction committed. A kill before the commit leaves the store as it was and the file in
  the inbox; a kill between commit and move makes the next run import it again, which changes
  nothing (every row is unchanged) and then archives it;
- idempotent: the lists are rebuilt from the store, not from what this run did, so a second run
  the same day rewrites them byte for byte.

The lists, in ``exports/``, are dated so that a list someone has open or is filling in is never
overwritten by a later day's run: ``inspections-new-YYYY-MM-DD.csv`` holds the orders selected
by the runs as of that day, ``inspections-open-YYYY-MM-DD.csv`` every inspection still open.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspect_cli.errors import OutputNotWritable, WorkspaceNotFound
from inspect_cli.exit_codes import ExitCode
from inspect_cli.logs import LOG_FILE
from inspect_cli.printable import escape_controls
from inspect_cli.printable import excerpt as _excerpt

if TYPE_CHECKING:
    from inspect_cli.formatting import Formatter
    from inspect_cli.ingest import FileResult
    from inspect_cli.selection import RunResult
    from inspect_cli.workspace import Workspace

# Names that are not finished contractor files: hidden files, Office's lock files ("~$x.xlsx")
# and files still being copied or downloaded. They wait in the inbox until renamed.
_WAITING_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download")
ARCHIVED, QUARANTINED, LEFT = "archived", "quarantined", "left_in_inbox"
WAITING = "waiting"
"""Still being written: left in the inbox, untouched, for the next run."""
SETTLE_SECONDS = 0.5
"""How long a just-changed inbox file must stay unchanged before it is imported."""
REASON_SUFFIX = ".reason.txt"


def stale_partials(quarantine: Path, now: datetime) -> list[Path]:
    """Quarantine files still being written an hour later: a killed import left them (its
    transaction rolled back, and the next import of that file quarantines its rows again)."""
    cutoff = now.timestamp() - 3600
    return [p for p in quarantine.glob("*.partial") if p.stat().st_mtime < cutoff]


def _set_aside(name: str) -> bool:
    return name.startswith((".", "~$")) or name.lower().endswith(_WAITING_SUFFIXES)


def _entries(inbox: Path) -> list[tuple[Path, os.stat_result]]:
    """Inbox entries with their own status (a link's, not its target's); an entry removed
    meanwhile is left out."""
    entries = []
    for path in inbox.iterdir():
        if _set_aside(path.name):
            continue
        try:
            entries.append((path, path.lstat()))
        except FileNotFoundError:
            continue
    return entries


def inbox_files(inbox: Path) -> list[Path]:
    """Files to import, oldest first (modification time, then name): a contractor's corrected
    file sent after the first must also be applied after it. Only regular files count: a
    symbolic link is never followed (see `inbox_strays`)."""
    files = [(st.st_mtime_ns, p.name, p) for p, st in _entries(inbox) if stat.S_ISREG(st.st_mode)]
    return [p for *_, p in sorted(files)]


def inbox_strays(inbox: Path) -> list[Path]:
    """Inbox entries that are neither a folder nor a regular file: symbolic links (which could
    point anywhere on the host, /etc/shadow or another workspace), pipes, devices, sockets.
    None of them is read; each is quarantined with a reason."""
    return sorted(
        p
        for p, st in _entries(inbox)
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode)
    )


def _stray_reason(path: Path) -> str:
    if path.is_symlink():
        return (
            f"{_excerpt(path.name)} is a symbolic link; links in inbox/ are never followed."
            " Put the file itself in inbox/"
        )
    return f"{_excerpt(path.name)} is not a regular file (a pipe, device or socket)"


FileState = tuple[int, int]
"""(size, modification time in ns): what changes while a file is still being written."""


def _state(path: Path) -> FileState | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def settled_files(files: list[Path], settle: float) -> tuple[list[Path], list[Path]]:
    """Split the inbox files into those that are complete and those still being written.

    A file changed less than `settle` seconds ago (by the host clock) is looked at again once
    that time has passed; if its size or modification time moved meanwhile, a writer is still
    at it and it waits for the next run. Files older than that are taken at once, so a normal
    run does not wait at all. Writers that pause for longer should use the `.part` names.
    """
    before = {p: _state(p) for p in files}
    clock = time.time()
    ages = [clock - s[1] / 1e9 for s in before.values() if s is not None]
    young = [age for age in ages if 0 <= age < settle]
    if young:
        time.sleep(settle - min(young))
    ready = [p for p in files if before[p] is not None and _state(p) == before[p]]
    return ready, [p for p in files if p not in ready]


MAX_ATTEMPTS = 3
"""Runs in a row an unchanged file may fail in an unexpected way before it is quarantined."""
FAILURES_FILE = ".failed-imports.json"


class _Failures:
    """How many runs in a row each inbox file has failed in an unexpected way, kept between
    runs: a failure may be passing (retry it), but a file that fails every day must not be
    retried for ever. A file that changes starts again from zero."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            counts = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            counts = {}
        self.counts: dict[str, list[int]] = counts if isinstance(counts, dict) else {}
        self.changed = False

    def failed(self, file: Path) -> int:
        """Count one more failure of `file`; return how many runs in a row it has failed."""
        state = list(_state(file) or (0, 0))
        known = self.counts.get(file.name)
        try:
            count = int(known[2]) + 1 if known[:2] == state else 1  # type: ignore[index]
        except (TypeError, IndexError, ValueError):
            count = 1  # first failure, or a record no run of ours wrote
        self.counts[file.name] = [*state, count]
        self.changed = True
        return count

    def forget(self, file: Path) -> None:
        if self.counts.pop(file.name, None) is not None:
            self.changed = True

    def save(self) -> None:
        if self.changed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.counts), encoding="utf-8")


class FileChanged(Exception):
    """The file changed while it was imported: its import is rolled back."""


@dataclass
class FileOutcome:
    """One inbox file: how its rows went and where the file went."""

    result: FileResult
    status: str
    """ARCHIVED, QUARANTINED (whole file unreadable, or not a regular file), LEFT (unexpected
    failure, retried) or WAITING (still being written, taken by the next run)."""
    moved_to: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.result.as_dict(),
            "status": self.status,
            "moved_to": str(self.moved_to) if self.moved_to else None,
        }


@dataclass
class ExportFile:
    kind: str
    """"new" (selected as of the day) or "open" (every open inspection)."""
    path: Path
    rows: int


@dataclass
class DailyResult:
    """What one daily run did, for the summary line, JSON and the exit code."""

    as_of: date
    files: list[FileOutcome] = field(default_factory=list)
    run: RunResult | None = None
    selected: dict[str, int] = field(default_factory=dict)
    """Orders this run newly selected, per reason."""
    open: int = 0
    overdue: int = 0
    exports: list[ExportFile] = field(default_factory=list)

    def rows(self) -> dict[str, int]:
        keys = ("read", "new", "unchanged", "amended", "rejected", "not_completed")
        return {k: sum(getattr(f.result, k) for f in self.files) for k in keys}

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    def exit_code(self, fail_on_overdue: bool = False) -> ExitCode:
        if self.count(LEFT):
            return ExitCode.ERROR
        if self.count(QUARANTINED) or self.rows()["rejected"]:
            return ExitCode.REJECTED
        if self.kept():
            return ExitCode.KEPT
        if fail_on_overdue and self.overdue:
            return ExitCode.OVERDUE
        return ExitCode.OK

    def kept(self) -> list[str]:
        """Selected orders amended to the threshold or below in this run, which stay selected."""
        return self.run.plan.kept_after_downward if self.run else []

    def summary(self, fmt: Formatter | None = None) -> str:
        """The one line a coordinator reads in the cron mail, its numbers as the workspace's
        reports write them (`fmt`; default English with a decimal point)."""
        from inspect_cli.formatting import Formatter

        n = (fmt or Formatter()).count
        rows = self.rows()
        selected = sum(self.selected.values())
        per_reason = ", ".join(f"{k} {n(c)}" for k, c in self.selected.items() if c)
        lists = ", ".join(f"{e.path} ({n(e.rows)})" for e in self.exports)
        kept = ", ".join(self.kept())
        waiting = self.count(WAITING)
        return (
            f"daily {self.as_of.isoformat()}: {n(len(self.files))} files "
            f"({n(self.count(ARCHIVED))} archived, {n(self.count(QUARANTINED))} quarantined, "
            f"{n(self.count(LEFT))} failed"
            + (f", {n(waiting)} still being written" if waiting else "")
            + f"); {n(rows['read'])} rows ({n(rows['new'])} new, "
            f"{n(rows['unchanged'])} unchanged, {n(rows['amended'])} amended, "
            f"{n(rows['rejected'])} rejected); {n(selected)} newly selected"
            + (f" ({per_reason})" if per_reason else "")
            + (f"; kept selected after a downward amendment: {kept}" if kept else "")
            + f"; {n(self.open)} open, {n(self.overdue)} overdue; lists: {lists}"
        )

    def rejected_reasons(self) -> Counter[str]:
        """Rows rejected in this run per reason, over all its quarantine files."""
        from inspect_cli.quarantine import reason_counts

        counts: Counter[str] = Counter()
        for f in self.files:
            if f.result.quarantine:
                counts.update(reason_counts(Path(f.result.quarantine)))
        return counts

    def as_dict(self, fail_on_overdue: bool = False) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "files": [f.as_dict() for f in self.files],
            "rows": self.rows(),
            "selection_run": self.run.run_id if self.run else None,
            "newly_selected": self.selected,
            "kept_after_downward_amendment": self.kept(),
            "open": self.open,
            "overdue": self.overdue,
            "exports": [
                {"kind": e.kind, "path": str(e.path), "rows": e.rows} for e in self.exports
            ],
            "exit_code": int(self.exit_code(fail_on_overdue)),
        }


FileProgress = Callable[[str], AbstractContextManager[Callable[[int], None] | None]]
"""file_progress(file name) gives, for the time one file imports, a row counter or None."""


def run_daily(
    ws: Workspace,
    *,
    as_of: date,
    now: datetime,
    log: logging.Logger,
    file_progress: FileProgress | None = None,
    settle: float = SETTLE_SECONDS,
) -> DailyResult:
    """Ingest the inbox, select as of `as_of` and write the day's lists. The caller holds the
    workspace lock.

    A file that fails in an unexpected way (not an input problem) is logged with its traceback,
    left in the inbox for the next run and makes the run end with ERROR; the other files are
    still imported. Links, pipes and devices in the inbox are quarantined unread; a file still
    being written (see `settled_files`), or changed while it was imported, is left as it is.
    """
    # Imported here so that doctor, which lists the inbox, does not load pandas.
    from inspect_cli.export import inspection_rows, run_rows, write_export
    from inspect_cli.ingest import ingest_file
    from inspect_cli.selection import REASONS, check_seed, run_selection
    from inspect_cli.store import daily as db

    config = ws.config()
    seed = ws.read_seed()
    if not ws.inbox.is_dir():
        raise WorkspaceNotFound(
            f"{ws.inbox} is missing: the workspace is incomplete; run `inspect-cli doctor`"
        )
    result = DailyResult(as_of=as_of)
    conn = ws.connect()
    try:
        # A wrong seed would stop the run at selection; stop it before any file moves.
        check_seed(conn, seed)
        for stale in stale_partials(ws.quarantine, now):
            stale.unlink(missing_ok=True)
            log.info("removed %s, left by an interrupted import", stale.name)
        failures = _Failures(ws.quarantine / FAILURES_FILE)
        for stray in inbox_strays(ws.inbox):
            result.files.append(_quarantine(ws, stray, _stray_reason(stray), now, log))
        ready, busy = settled_files(inbox_files(ws.inbox), settle)
        for path in busy:
            result.files.append(_still_written(path, log))
        for path in ready:
            try:
                with file_progress(path.name) if file_progress else nullcontext() as advance:
                    outcome = ingest_file(
                        conn,
                        path,
                        config,
                        quarantine_dir=ws.quarantine,
                        now=now,
                        progress=advance,
                        before_commit=_unchanged_since(path, _state(path)),
                    )
            except FileChanged:
                result.files.append(_still_written(path, log))
                continue
            except Exception as e:
                problem = f"{type(e).__name__}: {escape_controls(str(e))}"
                if failures.failed(path) >= MAX_ATTEMPTS:
                    log.error("%s could not be imported (%s)", _shown(path), problem, exc_info=True)
                    problem = (
                        f"{problem}; the same file failed in {MAX_ATTEMPTS} runs in a row, "
                        f"details in {ws.logs / LOG_FILE}"
                    )
                    failures.forget(path)
                    result.files.append(_quarantine(ws, path, problem, now, log))
                    continue
                log.error(
                    "%s could not be imported (%s); left in inbox/ to retry, details in %s",
                    _shown(path),
                    problem,
                    ws.logs / LOG_FILE,
                    exc_info=True,
                )
                result.files.append(FileOutcome(_failed(path, problem), LEFT))
                continue
            failures.forget(path)
            result.files.append(_file_done(ws, path, outcome, as_of, now, log))
        failures.save()

        run = run_selection(conn, seed=seed, config=config, as_of=as_of, now=now)
        result.run = run
        counts = run.plan.counts
        result.selected = {reason: counts[reason] for reason in REASONS}
        log.info(
            "selection as of %s: %d orders decided, %d newly selected%s",
            as_of.isoformat(),
            run.decided,
            sum(result.selected.values()),
            "" if run.run_id is None else f" (run {run.run_id})",
        )
        if run.plan.kept_after_downward:
            log.warning(
                "kept selected after a downward amendment (look at them): %s",
                ", ".join(run.plan.kept_after_downward),
            )

        # "New" means selected by any run as of this day, so a re-run writes the same list.
        new_rows = [
            row
            for run_id in db.run_ids_as_of(conn, as_of.isoformat())
            for row in run_rows(conn, run_id)
        ]
        new_rows.sort(key=lambda r: (r.due_on, r.order_id))
        open_rows = inspection_rows(conn, status="open")
    finally:
        conn.close()
    result.open = len(open_rows)
    result.overdue = sum(r.due_on < as_of for r in open_rows)
    day = as_of.isoformat()
    for kind, rows in (("new", new_rows), ("open", open_rows)):
        path = ws.exports / f"inspections-{kind}-{day}.csv"
        try:
            write_export(rows, path, fmt="csv", dialect=config.csv_dialect, lang=config.language)
        except OSError as e:
            raise OutputNotWritable(f"cannot write {path}: {e.strerror or e}") from None
        result.exports.append(ExportFile(kind, path, len(rows)))
        log.info("wrote %s: %d orders", path, len(rows))
    if result.overdue:
        log.info("%d of %d open inspections are overdue", result.overdue, result.open)
    return result


def _unchanged_since(path: Path, state: FileState | None) -> Callable[[], None]:
    """A check for the end of the import: rolls it back if the file moved meanwhile."""

    def check() -> None:
        if _state(path) != state:
            raise FileChanged(path.name)

    return check


def _still_written(path: Path, log: logging.Logger) -> FileOutcome:
    from inspect_cli.ingest import FileResult

    log.info("%s is still being written; left in inbox/ for the next run", _shown(path))
    return FileOutcome(FileResult(file=str(path)), WAITING)


def _shown(path: Path) -> str:
    return escape_controls(path.name)


def _failed(path: Path, problem: str) -> FileResult:
    from inspect_cli.ingest import FileResult

    return FileResult(file=str(path), error=problem)


def _file_done(
    ws: Workspace,
    path: Path,
    outcome: FileResult,
    as_of: date,
    now: datetime,
    log: logging.Logger,
) -> FileOutcome:
    """Archive a committed file or quarantine an unreadable one, and log what happened."""
    if outcome.error is not None:
        outcome.error = escape_controls(outcome.error)
        return _quarantine(ws, path, outcome.error, now, log, outcome)
    target = _free_name(ws.archive / f"{as_of:%Y}" / f"{as_of:%m}", path.name)
    _move(path, target)
    log.info(
        "%s: %d read, %d new, %d unchanged, %d amended, %d rejected; archived to %s",
        _shown(path),
        outcome.read,
        outcome.new,
        outcome.unchanged,
        outcome.amended,
        outcome.rejected,
        escape_controls(str(target)),
    )
    log.info("%s: columns: %s", path.name, outcome.mapping())
    if outcome.rejected:
        log.warning(
            "%s: %d rows rejected, see %s", _shown(path), outcome.rejected, outcome.quarantine
        )
    return FileOutcome(outcome, ARCHIVED, target)


def _quarantine(
    ws: Workspace,
    path: Path,
    problem: str,
    now: datetime,
    log: logging.Logger,
    outcome: FileResult | None = None,
) -> FileOutcome:
    """Move a file (or link) that cannot be imported to quarantine/, with its reason beside it:
    it leaves the inbox, so it never blocks or burdens a later run."""
    if outcome is None:
        from inspect_cli.ingest import FileResult

        outcome = FileResult(file=str(path), error=problem)
    target = _free_name(ws.quarantine, path.name)
    reason = target.with_name(target.name + REASON_SUFFIX)
    _move(path, target, reason=_reason_text(_shown(path), problem, now))
    shown_reason = escape_controls(str(reason))
    log.warning("%s quarantined: %s (reason in %s)", _shown(path), problem, shown_reason)
    return FileOutcome(outcome, QUARANTINED, target)


def _move(path: Path, target: Path, reason: str | None = None) -> None:
    """Move a file out of the inbox. A reason is written beside the target first: a crash in
    between leaves the file in the inbox to be retried, never a quarantined file without it.

    Failing here stops the run, since the next files could not be moved either.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if reason is not None:
            target.with_name(target.name + REASON_SUFFIX).write_text(reason, encoding="utf-8")
        shutil.move(path, target)
    except OSError as e:
        raise OutputNotWritable(
            f"cannot move {path.name} to {target.parent}: {e.strerror or e}; it stays in inbox/"
            " and the next run takes it again (an imported file comes back as unchanged)"
        ) from None


def _free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem-2.ext`, `-3` … when taken: nothing is ever overwritten."""
    candidate = folder / name
    stem, suffix = os.path.splitext(name)
    n = 1
    while candidate.exists() or candidate.with_name(candidate.name + REASON_SUFFIX).exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def _reason_text(name: str, error: str, now: datetime) -> str:
    return (
        f"{name} could not be imported ({now.isoformat(timespec='seconds')}):\n"
        f"{error}\n\n"
        "Nothing of it was stored. Fix the file (or the contractor's columns in "
        "inspect-cli.toml) and put it back in inbox/.\n"
    )
