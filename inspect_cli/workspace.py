"""A workspace is one folder: config, store, seed and the working folders of the daily flow."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from inspect_cli import seeds, store
from inspect_cli.config import CONFIG_FILE, DEFAULT_CONFIG, Config, load_config
from inspect_cli.errors import (
    LockHeld,
    SeedError,
    StoreOutOfDate,
    WorkspaceExists,
    WorkspaceNotFound,
    WorkspaceReadOnly,
)
from inspect_cli.sampling import random_seed, seed_commitment
from inspect_cli.store.health import stored_schema_version
from inspect_cli.store.schema import LATEST_VERSION

HOME_VARIABLE = "INSPECT_CLI_HOME"
FOLDERS = ("inbox", "archive", "exports", "quarantine", "logs")
GITIGNORE = """\
# Written by `inspect-cli init`: the secret seed and tenant data stay out of version control.
# Only the configuration (inspect-cli.toml) is meant to be shared.
/seed.secret
/inspect-cli.sqlite
/inspect-cli.sqlite-wal
/inspect-cli.sqlite-shm
/inspect-cli.sqlite-journal
/inspect-cli.lock
/inbox/
/archive/
/exports/
/quarantine/
/logs/
"""


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace; opening the store or config is explicit."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def store_path(self) -> Path:
        return self.root / "inspect-cli.sqlite"

    @property
    def seed_path(self) -> Path:
        return self.root / "seed.secret"

    @property
    def lock_path(self) -> Path:
        return self.root / "inspect-cli.lock"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the workspace lock, or raise LockHeld at once: a second run must not wait.

        The operating system releases it when the process dies, so a killed run never
        blocks the next one.
        """
        if self.read_only:
            raise WorkspaceReadOnly(f"workspace {self.root}")
        lock = FileLock(self.lock_path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise LockHeld(
                f"another inspect-cli run holds the lock {self.lock_path}; this run did nothing"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def read_only(self) -> bool:
        """Whether the workspace cannot be written: read-only media, such as an auditor's copy.

        Asked of the operating system (``access``), which also knows read-only mounts and
        immutable files, for which even root gets no write access.
        """
        if not os.access(self.root, os.W_OK):
            return True
        return self.store_path.is_file() and not os.access(self.store_path, os.W_OK)

    def connect(self) -> sqlite3.Connection:
        """The store, brought to the latest schema; only to read on a read-only workspace, where
        what reads works and a write fails (``errors.from_host`` says it in one line)."""
        if not self.read_only:
            return store.connect(self.store_path)
        conn = store.open_read_only(self.store_path)
        version = stored_schema_version(conn)
        if version < LATEST_VERSION:
            conn.close()
            raise StoreOutOfDate(
                f"store {self.store_path} has schema version {version} and this inspect-cli "
                f"needs {LATEST_VERSION}: a read-only copy cannot be brought up to date; copy "
                "the workspace to writable storage, or use the inspect-cli that made it"
            )
        return conn

    def read_seed(self) -> str:
        """The secret seed; only selection, verify and ``seed reveal`` need it."""
        try:
            return self.seed_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise SeedError(f"seed file {self.seed_path} is missing") from None


def is_workspace(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file()


def find_workspace(
    explicit: Path | None, env: Mapping[str, str] = os.environ, cwd: Path | None = None
) -> Workspace:
    """The workspace from ``--workspace``, then INSPECT_CLI_HOME, then the current folder."""
    if explicit is not None:
        candidates = [(explicit, "--workspace")]
    elif env.get(HOME_VARIABLE):
        candidates = [(Path(env[HOME_VARIABLE]), HOME_VARIABLE)]
    else:
        candidates = [(cwd or Path.cwd(), "the current folder")]
    path, origin = candidates[0]
    if not is_workspace(path):
        raise WorkspaceNotFound(
            f"no workspace at {path} (from {origin}); "
            "create one with `inspect-cli init DIR` or point --workspace/-w at it"
        )
    return Workspace(path.resolve())


def init_workspace(
    root: Path, seed: str | None, now: datetime, *, weak_seed_ok: bool = False
) -> tuple[Workspace, str]:
    """Create a workspace and return it with the seed's commitment (its SHA-256).

    A given seed must pass the strength rule of ``seeds`` unless `weak_seed_ok` (for tests).
    """
    if is_workspace(root) or (root / "inspect-cli.sqlite").exists():
        raise WorkspaceExists(f"{root} is already a workspace; refusing to overwrite it")
    if root.exists() and not root.is_dir():
        raise WorkspaceExists(f"{root} exists and is not a folder")
    if seed is not None and not seed.strip():
        raise SeedError("the seed must not be empty")
    if seed is not None and not weak_seed_ok:
        seeds.require_strong(seed)
    seed = seed.strip() if seed is not None else random_seed()
    ws = Workspace(root.resolve())
    # Owner-only, like the backups: the store and the working folders will hold tenant
    # contact data. SQLite gives the store's -wal and -shm the store's own mode.
    ws.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in FOLDERS:
        (ws.root / name).mkdir(mode=0o700, exist_ok=True)
    fd = os.open(ws.seed_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(seed + "\n")
    os.close(os.open(ws.store_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    commitment = seed_commitment(seed)
    conn = ws.connect()
    with store.transaction(conn):
        store.record_seed_commitment(conn, commitment, now)
    conn.close()
    (ws.root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    # The config is written last: its presence is what makes the folder a workspace.
    ws.config_path.write_text(DEFAULT_CONFIG, encoding="utf-8")
    return ws, commitment
