"""Rejected rows, kept with their original values and a plain reason per field.

A quarantine file is a CSV that a coordinator can open in Excel, correct and drop back in the
inbox: it has the file's own columns plus ``source_row`` and ``problems``, so it imports again
like the original. It is written under a temporary name and only published (renamed) when
the import's transaction has committed, so a crash never leaves a quarantine for rows that
were not actually rejected (at worst a stale ``.partial`` file, which the daily run clears).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from inspect_cli.spreadsheet import csv_format, neutralise


@dataclass(frozen=True)
class RowProblem:
    """Why one field of one input row was rejected."""

    row: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class Quarantine:
    """Collects the rejected rows of one input file into ``<dir>/<stem>-<timestamp>.csv``.

    Used as a context manager around the import's transaction: on a normal exit the file
    gets its final name, on an error (or a dry run) the partial file is removed.
    """

    def __init__(
        self, directory: Path, source: Path, columns: Sequence[str], now: datetime, dialect: str
    ) -> None:
        stamp = now.strftime("%Y%m%dT%H%M%S")
        self.path = directory / f"{source.stem}-{stamp}.csv"
        if self.path.exists():
            self.path = self.path.with_name(f"{self.path.stem}-{os.getpid()}.csv")
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._columns = list(columns)
        self._delimiter, self._encoding = csv_format(dialect)
        self._file = None
        self._writer: csv.writer | None = None
        self.rows = 0

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *rest: object) -> None:
        self._close()
        if error_type is None and self.rows:
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)

    @property
    def destination(self) -> Path | None:
        """Where the rejected rows will be once published; None when no row was rejected."""
        return self.path if self.rows else None

    def add(self, row: int, values: Sequence[str], problems: str) -> None:
        """Quarantine one row: its file row number, the reasons and its original cells."""
        if self._writer is None:
            self._partial.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self._partial, "w", encoding=self._encoding, newline="")  # noqa: SIM115
            self._writer = csv.writer(self._file, delimiter=self._delimiter)
            self._writer.writerow(["source_row", "problems", *self._columns])
        self._writer.writerow([row, neutralise(problems), *(neutralise(v) for v in values)])
        self.rows += 1

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None
