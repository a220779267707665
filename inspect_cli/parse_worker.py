"""Parsing a contractor file's chunks for `ingest`: in this process, or in a worker process.

`parsed_chunks` gives either behind one interface, `ParsedChunks`. A small file is parsed here
as its chunks are stored: a worker process would cost more to start than it saves. A large one
is parsed in a worker process on the other core while this one stores the chunks before; the
messages between the two (`Header`, `Chunk`, `Done`, `Failed`, `Cells`, and `CellsWanted` back)
are defined here with both ends. Only the worker loads pandas.
"""

from __future__ import annotations

import multiprocessing
import traceback
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from inspect_cli.config import ContractorProfile, Register
from inspect_cli.errors import InspectError
from inspect_cli.parsed import Parsed, Repeated


@dataclass(frozen=True)
class OrderFile:
    """A contractor file to parse, and what parsing it needs; sent to the worker as it is."""

    path: Path
    sheet: str | None
    profile: ContractorProfile | None
    chunk_rows: int
    register: Register


class ParsedChunks(ABC):
    """The parsed chunks of one file, in file order, and what settling its repeats needs.

    Used as a context manager: leaving it stops whatever parses the file.
    """

    header: list[str]
    """The file's columns as read."""
    fields: dict[str, str]
    """Canonical field -> column of the file."""

    def __enter__(self) -> ParsedChunks:
        return self

    def __exit__(self, failed: type[BaseException] | None, *exc: object) -> None:
        return None

    @abstractmethod
    def __iter__(self) -> Iterator[Parsed]:
        """Each chunk, parsed, as soon as it is ready."""

    @property
    @abstractmethod
    def repeats(self) -> Repeated:
        """The rows whose order id came before; complete once every chunk was taken."""

    @abstractmethod
    def cells_of(self, rows: list[int]) -> dict[int, list[str]]:
        """The original cells of these file rows, read again (rows of chunks gone by that
        turned out to conflict, which is rare)."""


def parsed_chunks(source: OrderFile, *, in_worker: bool) -> ParsedChunks:
    """The file's chunks, parsed in a worker process when `in_worker`, else in this one.

    Opening the file (and refusing it: not a table, a required column missing) happens here
    for a file parsed in this process, on entering the context for one parsed in the worker.
    """
    return ParseWorker(source) if in_worker else ParseHere(source)


class ParseHere(ParsedChunks):
    """The chunks parsed in this process as they are stored."""

    def __init__(self, source: OrderFile):
        from inspect_cli import parsing

        self.table, self.fields = parsing.open_orders(
            source.path, source.sheet, source.profile, source.chunk_rows
        )
        self.header = self.table.columns
        self.parser = parsing.Parser(self.table, self.fields, source.profile, source.register)

    def __iter__(self) -> Iterator[Parsed]:
        while (parsed := self.parser.next()) is not None:
            yield parsed

    @property
    def repeats(self) -> Repeated:
        return self.parser.repeats.found

    def cells_of(self, rows: list[int]) -> dict[int, list[str]]:
        from inspect_cli import parsing

        return parsing.cells_of(self.table, rows)


# The protocol between the importing process and the worker. The worker sends a Header, a
# Chunk per chunk and Done; or Failed with the exception the file raised. Then, until the pipe
# closes, it answers each CellsWanted with Cells.


@dataclass(frozen=True)
class Header:
    columns: list[str]
    fields: dict[str, str]


@dataclass(frozen=True)
class Chunk:
    parsed: Parsed


@dataclass(frozen=True)
class Done:
    repeats: Repeated


@dataclass(frozen=True)
class Failed:
    error: BaseException


@dataclass(frozen=True)
class CellsWanted:
    rows: list[int]


@dataclass(frozen=True)
class Cells:
    cells: dict[int, list[str]]


_Message = TypeVar("_Message")


class ParseWorker(ParsedChunks):
    """The chunks parsed in a worker process while this one stores them.

    Parsing is mostly Python code, and so is binding the values to SQLite statements: in two
    threads of one process they take turns at the GIL and overlap little. The worker opens the
    file and sends its columns, then parses chunk k+1 on the other core while this process
    stores chunk k; it blocks sending k+1 until this process takes it, so at most one chunk is
    in flight and memory stays flat. The worker is started fresh ("spawn"): forking a process
    that may run threads (a progress display) is not safe.
    """

    def __init__(self, source: OrderFile):
        self.path = source.path
        self._repeats = Repeated()
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(source, theirs), daemon=True)
        self._process.start()
        theirs.close()
        self.header = []
        self.fields = {}

    def __enter__(self) -> ParseWorker:
        try:
            header = self._receive(Header)
        except BaseException:
            self._stop(failed=True)
            raise
        self.header, self.fields = header.columns, header.fields
        return self

    def __exit__(self, failed: type[BaseException] | None, *exc: object) -> None:
        self._stop(failed=failed is not None)

    def _stop(self, *, failed: bool) -> None:
        self._pipe.close()
        if failed:
            self._process.terminate()
        self._process.join()

    def __iter__(self) -> Iterator[Parsed]:
        while isinstance(message := self._receive(Chunk, Done), Chunk):
            yield message.parsed
        self._repeats = message.repeats

    @property
    def repeats(self) -> Repeated:
        return self._repeats

    def cells_of(self, rows: list[int]) -> dict[int, list[str]]:
        self._pipe.send(CellsWanted(rows))
        return self._receive(Cells).cells

    def _receive(self, *expected: type[_Message]) -> _Message:
        """The next message, which must be of one of the expected types; an error the worker
        sent is raised here."""
        try:
            message = self._pipe.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(
                f"{self.path}: the process parsing the file ended without a result "
                f"(exit code {self._process.exitcode})"
            ) from None
        if isinstance(message, Failed):
            raise message.error
        if not isinstance(message, expected):
            names = " or ".join(kind.__name__ for kind in expected)
            raise RuntimeError(
                f"{self.path}: the parsing process sent {type(message).__name__}, not {names}"
            )
        return message


def _serve(source: OrderFile, pipe: Connection) -> None:
    """The worker's side of the protocol; pandas is loaded here, in the worker only."""
    from inspect_cli import parsing

    try:
        table, fields = parsing.open_orders(
            source.path, source.sheet, source.profile, source.chunk_rows
        )
        pipe.send(Header(table.columns, fields))
        parser = parsing.Parser(table, fields, source.profile, source.register)
        while (parsed := parser.next()) is not None:
            pipe.send(Chunk(parsed))
        pipe.send(Done(parser.repeats.found))
        while True:
            wanted: CellsWanted = pipe.recv()
            pipe.send(Cells(parsing.cells_of(table, wanted.rows)))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass  # the importing process is done, or stopped first and rolls the file back
    except InspectError as e:
        pipe.send(Failed(e))
    except BaseException:
        pipe.send(Failed(RuntimeError(f"parsing {source.path} failed:\n{traceback.format_exc()}")))
    finally:
        pipe.close()
