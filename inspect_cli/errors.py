"""Errors a user can act on.

Each condition has its own class so the CLI can turn any of them into one ``Error: ...`` line and
an exit code in one place. Row-level problems in input files are not exceptions: they are
quarantine records (see ``ingest``).
"""


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
    """A value given on the command line cannot be used."""


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


class DateConvention(InspectError):
    """A date column is month-first, mixes conventions or contradicts the profile's format:
    the whole file is refused rather than any date read with day and month swapped."""


class AmbiguousColumns(InspectError):
    """One column of an input file would fill two fields without a profile saying so."""
