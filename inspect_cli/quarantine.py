"""Rejected rows, kept with their original values and a plain reason per field.

A quarantine file is a CSV that a coordinator can open in Excel, correct and drop back in the
inbox: it has the file's own columns plus ``source_row`` and ``problems``, so it imports again
like the original. It is written under a temporary name and only published (renamed) when
the import's transaction has committed, so a crash never leaves a quarantine for rows that
were not actually rejected (at worst a stale ``.partial`` file, which the daily run clears).
Its rows are in file order, also when some are only rejected after the last chunk (rows whose
id a later row repeats with other values).
"""

from __future__ import annotations

import csv
import heapq
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from inspect_cli.spreadsheet import csv_format, neutralise


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
        self._last = 0
        self._late: list[list[object]] = []
        self.rows = 0

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *rest: object) -> None:
        if error_type is None and self.rows:
            try:
                with self._writing():
                    self._close()
                    if self._late:
                        self._merge_late()
            except OSError:
                self._partial.unlink(missing_ok=True)
                raise
            os.replace(self._partial, self.path)
        else:
            with suppress(OSError):  # already failing (or nothing to keep): the file goes
                self._close()
            self._partial.unlink(missing_ok=True)

    @property
    def destination(self) -> Path | None:
        """Where the rejected rows will be once published; None when no row was rejected.

        The rows written so far are flushed first: the import asks just before it commits, so
        a full disk fails the import as a whole instead of losing its quarantine after it.
        """
        if self._file is not None:
            with self._writing():
                self._file.flush()
        return self.path if self.rows else None

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Name the quarantine file in a write error (a failed flush names no file), so the
        user reads "no space left on device while writing <it>"."""
        try:
            yield
        except OSError as e:
            raise OSError(e.errno, e.strerror, str(self.path)) from None

    def add(self, row: int, values: Sequence[str], problems: str) -> None:
        """Quarantine one row: its file row number, the reasons and its original cells."""
        if self._writer is None:
            self._partial.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self._partial, "w", encoding=self._encoding, newline="")  # noqa: SIM115
            self._writer = csv.writer(self._file, delimiter=self._delimiter)
            self._writer.writerow(["source_row", "problems", *self._columns])
        record = [row, neutralise(problems), *(neutralise(v) for v in values)]
        if row < self._last:
            self._late.append(record)  # put in its place when the file is complete
        else:
            with self._writing():
                self._writer.writerow(record)
            self._last = row
        self.rows += 1

    def _merge_late(self) -> None:
        """Merge the rows that came out of order into the rows written, by file row: one pass
        over the partial file, holding only the late rows in memory."""
        merged = self._partial.with_name(self._partial.stem + ".merging.partial")
        late = sorted(self._late, key=lambda record: record[0])
        with (
            open(self._partial, encoding=self._encoding, newline="") as written,
            open(merged, "w", encoding=self._encoding, newline="") as out,
        ):
            rows = csv.reader(written, delimiter=self._delimiter)
            writer = csv.writer(out, delimiter=self._delimiter)
            writer.writerow(next(rows))
            in_order = ([int(r[0]), *r[1:]] for r in rows)
            writer.writerows(heapq.merge(in_order, late, key=lambda record: record[0]))
        os.replace(merged, self._partial)

    def _close(self) -> None:
        if self._file is not None:
            file, self._file, self._writer = self._file, None, None
            file.close()


def reason_counts(path: Path) -> Counter[str]:
    """How many rows of a quarantine file were rejected for each reason (its ``problems``
    cell), for a summary that shows a reason once with its count instead of once per row."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = f.readline()
        delimiter = header[len("source_row")] if header.startswith("source_row") else ","
        return Counter(row[1] for row in csv.reader(f, delimiter=delimiter) if len(row) > 1)
