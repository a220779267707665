"""Log lines for unattended runs: always appended to ``logs/inspect-cli.log``, echoed on stderr.

Nobody watches a cron run, so what it did must be readable afterwards: every line goes to the
log file as ``timestamp level message`` (UTC, ISO 8601), rotated by size so it never fills the
disk. On stderr, off a terminal (cron mail, a pipe), the same plain lines appear; on a terminal
just the message. No colours either way, so NO_COLOR holds trivially. Tracebacks go only to the
file: tenant data may sit in them and a user needs the one-line message, not the stack.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def logging_to(logs_dir: Path, stream: TextIO, *, quiet: bool = False) -> Iterator[logging.Logger]:
    """Log to ``logs_dir/inspect-cli.log`` and to `stream` for the duration of one command.

    `quiet` keeps INFO lines off the stream (the file still gets them). The handlers are removed
    afterwards, so a test runner calling commands in one process does not pile them up.
    """
    logs_dir.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    to_file = RotatingFileHandler(
        logs_dir / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    to_file.setFormatter(_PlainFormatter(tracebacks=True))
    console = logging.StreamHandler(stream)
    console.setLevel(logging.WARNING if quiet else logging.INFO)
    terminal = hasattr(stream, "isatty") and stream.isatty()
    console.setFormatter(_TerminalFormatter() if terminal else _PlainFormatter(tracebacks=False))
    console.addFilter(_for_console)
    handlers = (to_file, console)
    for handler in handlers:
        logger.addHandler(handler)
    try:
        yield logger
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
