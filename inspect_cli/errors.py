"""Errors a user can act on.

Each condition has its own class so the CLI can turn any of them into one ``Error: ...`` line and
an exit code in one place. Row-level problems in input files are not exceptions: they are
quarantine records (see ``ingest``).
"""

from __future__ import annotations

import errno
from collections.abc import Mapping


class InspectError(Exception):
    """Base class: a problem the user can fix; its message is shown as is."""

    exit_code = 1


class WorkspaceNotFound(InspectError):
    """No workspace at the given path, in INSPECT_CLI_HOME or in the current folder."""


class WorkspaceExists(InspectError):
    """``init`` would overwrite an existing workspace."""


class ConfigError(InspectError):
    """The workspace configuration file is missing or invalid."""


class SeedError(InspectError):
    """The sampling seed is missing, unreadable or does not match its commitment."""


class UnreadableFile(InspectError):
    """A whole input file cannot be read as a table (empty, binary, corrupt, no sheet)."""


class MissingColumns(InspectError):
    """An input file lacks a required column, so none of its rows can be imported."""


class UnknownOrder(InspectError):
    """An order id that the store does not know."""


class InvalidValue(InspectError):
    """A value given by hand cannot be used; `field` names it as the domain does.

    The domain knows fields ("inspected_on: 2099-01-01 is in the future"), not the options of
    a command; a command names its own with `for_options` ("--date 2099-01-01 is in ...").
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message

    def for_options(self, options: Mapping[str, str]) -> InspectError:
        """The same problem with its field named by the option that gave it, when there is one:
        then it is a bad option value, a usage error (exit 2)."""
        option = options.get(self.field or "")
        return self if option is None else MalformedOption(f"{option} {self.reason}")


class MalformedOption(InspectError):
    """An option's value is not written as the option requires: a usage error (exit 2)."""

    exit_code = 2


class LockHeld(InspectError):
    """Another run holds the workspace lock."""

    exit_code = 4


class BackupFailed(InspectError):
    """A backup could not be written (destination not writable, store unreadable)."""


class OutputNotWritable(InspectError):
    """A file or folder cannot be written (permissions, disk full, a file open in Excel)."""


class WeakSeed(InspectError):
    """A seed given at ``init`` is too easy to guess from its published commitment."""

    exit_code = 2


class SeedMismatch(SeedError):
    """A seed whose SHA-256 is not the commitment recorded at ``init``."""

    def __init__(self, stored: str, commitment: str) -> None:
        super().__init__(
            f"seed does not match the commitment {stored} recorded at init "
            f"(its SHA-256 is {commitment})"
        )
        self.stored = stored
        self.commitment = commitment


class NoCommitment(SeedError):
    """The store holds no seed commitment to check a seed against."""

    def __init__(self) -> None:
        super().__init__("the store has no seed commitment; was the workspace made with `init`?")


class WorkspaceReadOnly(InspectError):
    """A command that writes was run on a workspace that cannot be written (read-only media)."""

    def __init__(self, where: object = "the workspace") -> None:
        super().__init__(
            f"{where} is read-only and this command writes to it; read-only commands "
            "(verify, report, show, export --out elsewhere, seed reveal, doctor) still work"
        )


class StoreOutOfDate(InspectError):
    """A read-only store has an older schema than this inspect-cli reads, and cannot migrate."""


class DiskFull(InspectError):
    """A file could not be written because the device has no space left."""

    def __init__(self, path: object) -> None:
        super().__init__(f"no space left on device while writing {path}")
        self.path = path


def from_host(error: BaseException, where: object = "the workspace") -> InspectError | None:
    """The user's error behind an operating-system or SQLite failure the host caused (a full
    disk, read-only media), or None for any other failure, which stays a bug to report.

    `where` names what was being written when the error does not (SQLite names no file).
    """
    errno_ = getattr(error, "errno", None)
    text = str(error)
    filename = getattr(error, "filename", None) or where
    if errno_ == errno.ENOSPC or "database or disk is full" in text:
        return DiskFull(filename)
    if errno_ == errno.EROFS or "attempt to write a readonly database" in text:
        return WorkspaceReadOnly(filename)
    return None


class DateConvention(InspectError):
    """A date column is month-first, mixes conventions or contradicts the profile's format:
    the whole file is refused rather than any date read with day and month swapped."""


class AmbiguousColumns(InspectError):
    """One column of an input file would fill two fields without a profile saying so."""
