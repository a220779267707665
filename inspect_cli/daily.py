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

import logging
import os
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspect_cli.errors import OutputNotWritable, WorkspaceNotFound
from inspect_cli.exit_codes import ExitCode
from inspect_cli.logs import LOG_FILE

if TYPE_CHECKING:
    from inspect_cli.ingest import FileResult
    from inspect_cli.selection import RunResult
    from inspect_cli.workspace import Workspace

# Names that are not finished contractor files: hidden files, Office's lock files ("~$x.xlsx")
# and files still being copied or downloaded. They wait in the inbox until renamed.
_WAITING_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download")
ARCHIVED, QUARANTINED, LEFT = "archived", "quarantined", "left_in_inbox"
REASON_SUFFIX = ".reason.txt"


def stale_partials(quarantine: Path, now: datetime) -> list[Path]:
    """Quarantine files still being written an hour later: a killed import left them (its
    transaction rolled back, and the next import of that file quarantines its rows again)."""
    cutoff = now.timestamp() - 3600
    return [p for p in quarantine.glob("*.partial") if p.stat().st_mtime < cutoff]


def inbox_files(inbox: Path) -> list[Path]:
    """Files to import, oldest first (modification time, then name): a contractor's corrected
    file sent after the first must also be applied after it."""
    files = [
        p
        for p in inbox.iterdir()
        if p.is_file()
        and not p.name.startswith((".", "~$"))
        and not p.name.lower().endswith(_WAITING_SUFFIXES)
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


@dataclass
class FileOutcome:
    """One inbox file: how its rows went and where the file went."""

    result: FileResult
    status: str
    """ARCHIVED, QUARANTINED (whole file unreadable) or LEFT (unexpected failure, retried)."""
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

    def summary(self) -> str:
        """The one line a coordinator reads in the cron mail."""
        rows = self.rows()
        selected = sum(self.selected.values())
        per_reason = ", ".join(f"{k} {n}" for k, n in self.selected.items() if n)
        lists = ", ".join(f"{e.path} ({e.rows})" for e in self.exports)
        kept = ", ".join(self.kept())
        return (
            f"daily {self.as_of.isoformat()}: {len(self.files)} files "
            f"({self.count(ARCHIVED)} archived, {self.count(QUARANTINED)} quarantined, "
            f"{self.count(LEFT)} failed); {rows['read']} rows ({rows['new']} new, "
            f"{rows['unchanged']} unchanged, {rows['amended']} amended, "
            f"{rows['rejected']} rejected); {selected} newly selected"
            + (f" ({per_reason})" if per_reason else "")
            + (f"; kept selected after a downward amendment: {kept}" if kept else "")
            + f"; {self.open} open, {self.overdue} overdue; lists: {lists}"
        )

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
) -> DailyResult:
    """Ingest the inbox, select as of `as_of` and write the day's lists. The caller holds the
    workspace lock.

    A file that fails in an unexpected way (not an input problem) is logged with its traceback,
    left in the inbox for the next run and makes the run end with ERROR; the other files are
    still imported.
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
        for path in inbox_files(ws.inbox):
            try:
                with file_progress(path.name) if file_progress else nullcontext() as advance:
                    outcome = ingest_file(
                        conn,
                        path,
                        config,
                        quarantine_dir=ws.quarantine,
                        now=now,
                        progress=advance,
                    )
            except Exception as e:
                problem = f"{type(e).__name__}: {e}"
                log.error(
                    "%s could not be imported (%s); left in inbox/ to retry, details in %s",
                    path.name,
                    problem,
                    ws.logs / LOG_FILE,
                    exc_info=True,
                )
                result.files.append(FileOutcome(_failed(path, problem), LEFT))
                continue
            result.files.append(_file_done(ws, path, outcome, as_of, now, log))

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
        target = _free_name(ws.quarantine, path.name)
        reason = target.with_name(target.name + REASON_SUFFIX)
        _move(path, target, reason=_reason_text(path.name, outcome.error, now))
        log.warning("%s quarantined: %s (reason in %s)", path.name, outcome.error, reason)
        return FileOutcome(outcome, QUARANTINED, target)
    target = _free_name(ws.archive / f"{as_of:%Y}" / f"{as_of:%m}", path.name)
    _move(path, target)
    log.info(
        "%s: %d read, %d new, %d unchanged, %d amended, %d rejected; archived to %s",
        path.name,
        outcome.read,
        outcome.new,
        outcome.unchanged,
        outcome.amended,
        outcome.rejected,
        target,
    )
    log.info("%s: columns: %s", path.name, outcome.mapping())
    if outcome.rejected:
        log.warning("%s: %d rows rejected, see %s", path.name, outcome.rejected, outcome.quarantine)
    return FileOutcome(outcome, ARCHIVED, target)


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
