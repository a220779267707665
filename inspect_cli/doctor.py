"""``doctor``: is this workspace fit for an unattended daily run?

Each check reads only; nothing is repaired or migrated, so doctor is safe on a damaged
workspace and while a run is going on. Every problem comes with what to do about it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from inspect_cli import seeds, store
from inspect_cli.daily import inbox_files
from inspect_cli.errors import InspectError, NoCommitment, SeedMismatch
from inspect_cli.store import health
from inspect_cli.store.schema import LATEST_VERSION
from inspect_cli.workspace import FOLDERS, Workspace


@dataclass(frozen=True)
class Check:
    """One finding: `ok` False is a problem that makes doctor exit 1."""

    name: str
    ok: bool
    message: str
    warning: bool = False
    """Worth a look but no problem: doctor still exits 0."""


def check_workspace(ws: Workspace) -> list[Check]:
    """Every check, in the order a user would fix them."""
    checks = [_config(ws)]
    store_checks, commitment = _store(ws)
    checks += store_checks
    checks.append(_seed(ws, commitment))
    if ws.root.is_dir() and ws.read_only:
        # Nor are modes checked: nothing can be changed on read-only media.
        checks.append(_read_only(ws))
    else:
        checks += _folders(ws)
        checks.append(_lock(ws))
        checks.append(_modes(ws))
    running = any(c.name == "lock" and c.message.startswith("held") for c in checks)
    checks.append(_inbox(ws, running))
    checks += _contractor_names(ws)
    return checks


def _config(ws: Workspace) -> Check:
    try:
        ws.config()
    except InspectError as e:
        return Check("config", False, str(e))
    return Check("config", True, f"{ws.config_path.name} is valid")


_UNREADABLE = object()
"""The commitment when the store cannot be read: the seed cannot be checked against it."""


def _store(ws: Workspace) -> tuple[list[Check], object]:
    """Integrity and schema version; also the stored seed commitment for the seed check."""
    path = ws.store_path
    restore = "restore it from a backup (see docs/operations.md, 'Backup and restore')"
    try:
        conn = store.open_read_only(path)
    except FileNotFoundError:
        return [Check("store", False, f"store {path} is missing; {restore}")], _UNREADABLE
    except sqlite3.Error as e:
        return [
            Check("store", False, f"store {path} cannot be opened ({e}); {restore}")
        ], _UNREADABLE
    try:
        problems = health.integrity_problems(conn)
        version = health.stored_schema_version(conn)
        commitment = store.seed_commitment(conn)
    except sqlite3.Error as e:
        return [Check("store", False, f"store {path} is damaged ({e}); {restore}")], _UNREADABLE
    finally:
        conn.close()
    checks = []
    if problems:
        shown = "; ".join(problems[:3])
        checks.append(Check("store", False, f"store {path} is damaged ({shown}); {restore}"))
    else:
        checks.append(Check("store", True, "integrity check ok"))
    if version == LATEST_VERSION:
        checks.append(Check("schema", True, f"schema version {version} is the latest"))
    elif version < LATEST_VERSION:
        checks.append(
            Check(
                "schema",
                False,
                f"store schema version {version}, this inspect-cli uses {LATEST_VERSION}; "
                "the next daily run (or any command) migrates it",
            )
        )
    else:
        checks.append(
            Check(
                "schema",
                False,
                f"store schema version {version} is newer than this inspect-cli knows "
                f"({LATEST_VERSION}); upgrade inspect-cli",
            )
        )
    return checks, commitment


def _seed(ws: Workspace, commitment: object) -> Check:
    path = ws.seed_path
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        seed = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return Check("seed", False, f"seed file {path} is missing; put the seed back (chmod 600)")
    except (OSError, UnicodeDecodeError) as e:
        return Check("seed", False, f"seed file {path} cannot be read: {e}")
    if mode & 0o077:
        return Check(
            "seed",
            False,
            f"seed file {path} can be read by others (mode {mode:04o}); run: chmod 600 {path}",
        )
    if not seed:
        return Check("seed", False, f"seed file {path} is empty")
    if commitment is _UNREADABLE:
        return Check(
            "seed", True, "seed present and owner-only (the store cannot be read to check it)"
        )
    try:
        seeds.check(seed, commitment)
    except NoCommitment:
        return Check("seed", False, "the store holds no seed commitment to check the seed against")
    except SeedMismatch:
        return Check(
            "seed",
            False,
            f"seed file {path} does not match the commitment {commitment} recorded at init",
        )
    if commitment == seeds.DEMO_COMMITMENT:
        return Check(
            "seed",
            True,
            "this is the public demo seed (examples/demo-seed.txt): anyone can work out its "
            "sample; give real orders a workspace whose seed was drawn at a seed ceremony "
            "(docs/audit.md)",
            warning=True,
        )
    return Check("seed", True, "seed present, owner-only and matching its commitment")


def _folders(ws: Workspace) -> list[Check]:
    problems = []
    for name in ("", *FOLDERS):
        folder = ws.root / name
        shown = f"{name}/" if name else f"workspace {ws.root}"
        if not folder.is_dir():
            problems.append(Check("folders", False, f"{shown} is missing; run: mkdir {folder}"))
        elif not os.access(folder, os.W_OK | os.X_OK):
            problems.append(Check("folders", False, f"{shown} is not writable for this user"))
    return problems or [Check("folders", True, f"{', '.join(FOLDERS)} are writable")]


def _read_only(ws: Workspace) -> Check:
    """One line instead of a problem per folder and the lock: an auditor's copy on read-only
    media is not damaged, it only cannot run what writes."""
    return Check(
        "writable",
        False,
        f"workspace {ws.root} is read-only: verify, report, show, export --out elsewhere and "
        "seed reveal work on it; daily, ingest, select and record need a writable copy",
    )


PRIVATE_FOLDERS = ("exports", "quarantine", "logs")
"""Folders whose files hold tenant data (with the store): they must be owner-only."""


def _modes(ws: Workspace) -> Check:
    """Store, exports, quarantine and logs hold tenant contact data: no other user of the host
    may read them. A file counts as exposed when its mode lets group or others in and its
    folders let them through (a folder without x for group and others closes all below it)."""
    exposed: list[tuple[Path, int]] = []
    targets: list[str] = []
    if _passable(ws.root):
        store_files = [
            ws.store_path.with_name(ws.store_path.name + s) for s in ("", "-wal", "-shm")
        ]
        found = _loose(store_files)
        if found:
            targets.append(f"{ws.store_path}*")
        exposed += found
        for name in PRIVATE_FOLDERS:
            folder = ws.root / name
            if folder.is_dir() and _passable(folder):
                found = _loose(p for p in folder.iterdir() if p.is_file())
                if found:
                    targets.append(str(folder))
                exposed += found
    if not exposed:
        return Check("modes", True, "store, exports, quarantine and logs are owner-only")
    shown = ", ".join(f"{p.relative_to(ws.root)} ({mode:04o})" for p, mode in exposed[:3])
    more = f" and {len(exposed) - 3} more" if len(exposed) > 3 else ""
    return Check(
        "modes",
        False,
        f"{len(exposed)} file(s) with tenant data can be read by other users of this host: "
        f"{shown}{more}; run: chmod -R go= {' '.join(targets)}",
    )


def _passable(folder: Path) -> bool:
    """Whether group or others may pass through `folder` (x permission)."""
    try:
        return bool(folder.stat().st_mode & 0o011)
    except OSError:
        return False


def _loose(paths: Iterable[Path]) -> list[tuple[Path, int]]:
    loose = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            loose.append((path, mode))
    return loose


def _lock(ws: Workspace) -> Check:
    """Held is no problem (a run is going on); only a lock that cannot be tried is."""
    if not ws.root.is_dir():
        return Check("lock", False, f"cannot take the lock: {ws.root} is missing")
    lock = FileLock(ws.lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return Check("lock", True, "held: a run is in progress")
    except OSError as e:
        return Check("lock", False, f"cannot take the lock {ws.lock_path}: {e}")
    lock.release()
    return Check("lock", True, "free")


def _inbox(ws: Workspace, running: bool = False) -> Check:
    """The files in the inbox: while a run holds the lock they are being imported now."""
    if not ws.inbox.is_dir():
        return Check("inbox", True, "no inbox to look in")
    waiting = inbox_files(ws.inbox)
    if not waiting:
        return Check("inbox", True, "no files waiting")
    when = (
        "being imported now (a run holds the lock)" if running else "waiting for the next daily run"
    )
    return Check(
        "inbox",
        True,
        f"{len(waiting)} file(s) {when}: "
        + ", ".join(p.name for p in waiting[:5])
        + (", …" if len(waiting) > 5 else ""),
    )


def _contractor_names(ws: Workspace) -> list[Check]:
    """A warning, not a problem: names stored as received that a spreadsheet would run as a
    formula; exports and tables neutralise them, but an alias should say who they are."""
    from inspect_cli.store import contractors

    try:
        conn = store.open_read_only(ws.store_path)
    except (FileNotFoundError, sqlite3.Error):
        return []  # the store check says why
    try:
        names, orders = contractors.formula_names(conn)
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    if not names:
        return []
    return [
        Check(
            "names",
            True,
            f"{names} contractor name(s) on {orders} order(s) look like a spreadsheet "
            "formula (start with = + - @ or a tab); they are shown neutralised: run "
            "`inspect-cli contractors` and add them as aliases of the real name",
            warning=True,
        )
    ]


def healthy(checks: list[Check]) -> bool:
    return all(c.ok for c in checks)


def as_json(checks: list[Check]) -> dict:
    return {
        "healthy": healthy(checks),
        "checks": [
            {"check": c.name, "ok": c.ok, "warning": c.warning, "message": c.message}
            for c in checks
        ],
    }
