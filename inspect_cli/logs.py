"""Log lines for unattended runs: always appended to ``logs/inspect-cli.log``, echoed on stderr.

Nobody watches a cron run, so what it did must be readable afterwards: every line goes to the
log file as ``timestamp level message`` (UTC, ISO 8601), rotated by size so it never fills the
disk. On stderr, off a terminal (cron mail, a pipe), the same plain lines appear; on a terminal
just the message. No colours either way, so NO_COLOR holds trivially. Tracebacks go only to the
file: tenant data may sit in them and a user needs the one-line message, not the stack.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

LOG_FILE = "inspect-cli.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
"""The file rotates at about 1 MB, keeping 5 old ones (inspect-cli.log.1 … .5)."""
LOGGER = "inspect_cli"
FILE_ONLY = {"console": False}
"""``extra=`` for a line meant for the file only (e.g. the summary already printed on stdout)."""


class _PlainFormatter(logging.Formatter):
    """``2026-11-27T06:30:00Z INFO message`` on one line; a traceback below it if wanted."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__()
        self._tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        line = f"{stamp} {record.levelname} {_one_line(record.getMessage())}"
        if self._tracebacks and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _TerminalFormatter(logging.Formatter):
    """The message alone, with ``warning:``/``error:`` in front when it is one."""

    def format(self, record: logging.LogRecord) -> str:
        message = _one_line(record.getMessage())
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


def _one_line(message: str) -> str:
    return " ".join(message.splitlines())


def _for_console(record: logging.LogRecord) -> bool:
    return getattr(record, "console", True)


class _LogFile(RotatingFileHandler):
    """The log file, owner-only (tenant data may sit in it), that never prints Python's
    ``--- Logging error ---`` traceback into the cron mail: when it cannot be written (a full
    disk), the console gets one warning and the run goes on with what it was doing."""

    def __init__(self, path: Path, console: logging.Handler) -> None:
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        self._console = console
        self._warned = False

    def _open(self) -> TextIO:
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=_owner_only,
        )

    def handleError(self, record: logging.LogRecord) -> None:
        if self._warned:
            return
        self._warned = True
        error = sys.exc_info()[1]
        reason = getattr(error, "strerror", None) or error
        _warn(self._console, f"cannot write the log {self.baseFilename}: {reason}")

    def close(self) -> None:
        with suppress(OSError):  # the last flush meets the same full disk
            super().close()


def _owner_only(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _warn(console: logging.Handler, message: str) -> None:
    """A warning for the console alone, about the log file itself."""
    record = {"name": LOGGER, "levelno": logging.WARNING, "levelname": "WARNING", "msg": message}
    console.handle(logging.makeLogRecord(record))


class _Console(logging.StreamHandler):
    """stderr; if even that cannot be written (a closed pipe), there is no one to tell."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


@contextmanager
def logging_to(logs_dir: Path, stream: TextIO, *, quiet: bool = False) -> Iterator[logging.Logger]:
    """Log to ``logs_dir/inspect-cli.log`` and to `stream` for the duration of one command.

    `quiet` keeps INFO lines off the stream (the file still gets them). The handlers are removed
    afterwards, so a test runner calling commands in one process does not pile them up.
    """
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    console = _Console(stream)
    console.setLevel(logging.WARNING if quiet else logging.INFO)
    terminal = hasattr(stream, "isatty") and stream.isatty()
    console.setFormatter(_TerminalFormatter() if terminal else _PlainFormatter(tracebacks=False))
    console.addFilter(_for_console)
    handlers: tuple[logging.Handler, ...] = (console,)
    try:
        logs_dir.mkdir(parents=True, exist_ok=True)
        to_file = _LogFile(logs_dir / LOG_FILE, console)
    except OSError as e:
        # A workspace on read-only media (or a full disk) still runs what needs no log.
        _warn(console, f"cannot write the log {logs_dir / LOG_FILE}: {e.strerror or e}")
    else:
        to_file.setFormatter(_PlainFormatter(tracebacks=True))
        handlers = (to_file, console)
    for handler in handlers:
        logger.addHandler(handler)
    try:
        yield logger
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
