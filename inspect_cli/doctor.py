"""``doctor``: is this workspace fit for an unattended daily run?

Each check reads only; nothing is repaired or migrated, so doctor is safe on a damaged
workspace and while a run is going on. Every problem comes with what to do about it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass

from filelock import FileLock, Timeout

from inspect_cli import store
from inspect_cli.daily import inbox_files
from inspect_cli.errors import InspectError
from inspect_cli.sampling import seed_commitment
from inspect_cli.store import daily as db
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
    checks += _folders(ws)
    checks.append(_lock(ws))
    checks.append(_inbox(ws))
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
    restore = "restore it from a backup (see README, 'Run it every day')"
    try:
        conn = db.open_read_only(path)
    except FileNotFoundError:
        return [Check("store", False, f"store {path} is missing; {restore}")], _UNREADABLE
    except sqlite3.Error as e:
        return [
            Check("store", False, f"store {path} cannot be opened ({e}); {restore}")
        ], _UNREADABLE
    try:
        problems = db.integrity_problems(conn)
        version = db.stored_schema_version(conn)
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
    if commitment is None:
        return Check("seed", False, "the store holds no seed commitment to check the seed against")
    if seed_commitment(seed) != commitment:
        return Check(
            "seed",
            False,
            f"seed file {path} does not match the commitment {commitment} recorded at init",
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


def _inbox(ws: Workspace) -> Check:
    if not ws.inbox.is_dir():
        return Check("inbox", True, "no inbox to look in")
    waiting = inbox_files(ws.inbox)
    if not waiting:
        return Check("inbox", True, "no files waiting")
    return Check(
        "inbox",
        True,
        f"{len(waiting)} file(s) waiting for the next daily run: "
        + ", ".join(p.name for p in waiting[:5])
        + (", …" if len(waiting) > 5 else ""),
    )


def _contractor_names(ws: Workspace) -> list[Check]:
    """A warning, not a problem: names stored as received that a spreadsheet would run as a
    formula; exports and tables neutralise them, but an alias should say who they are."""
    from inspect_cli.store import contractors

    try:
        conn = db.open_read_only(ws.store_path)
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
