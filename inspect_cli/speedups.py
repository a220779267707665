"""The speed-ups of select, verify and the board report: `draw`, `beside` and `behind`.

`draw`: the tickets of many orders, half of a large draw in a second process. Every ticket is
a SHA-256 computed by the interpreter, which one thread holds at a time: a thread draws them no
faster. `Helper` starts ``python -m inspect_cli.speedups`` before the orders are read, so that
it is ready when the draw comes; `draw` then sends it the second half of the order ids and
draws the first half itself, on both cores at once. The seed goes through a pipe, never on a
command line. Should the helper fail, the caller draws that half as well: the same result, only
slower. The messages between the two processes are defined here, both ends together.

`beside`: work in a thread while the caller's block runs, for reads that SQLite does without
holding the interpreter. `behind`: the same at a lower priority, for work that fills the cores
another process (the board report's `verify`) leaves free.

This module uses `inspect_cli.sampling`; nothing of the rule (`rule`, `sampling`) imports it.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any, BinaryIO, TypeVar

from inspect_cli.sampling import rate_places, ticket_heads, tickets_from_heads

SPLIT_FROM = 100_000
"""Draws of this many orders or more are shared with the helper: below, it saves too little."""

Heads = Callable[[], list[int] | None]
T = TypeVar("T")


@contextmanager
def beside(work: Callable[..., T], *args: Any, **kwargs: Any) -> Iterator[Callable[[], T]]:
    """Run ``work(*args, **kwargs)`` in a thread while the block runs; yields what waits for its
    result (and raises what it raised). The block and the thread share the cores only where one
    of them leaves the interpreter (SQLite, hashlib)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(work, *args, **kwargs).result


BACKGROUND_NICE = 10
"""How much nicer (lower in priority) work done `behind` another process is than the caller."""


@contextmanager
def behind(work: Callable[..., T], *args: Any) -> Iterator[Callable[[], T]]:
    """`beside`, the thread at a lower priority: for work that can wait while the block waits
    for another process (the board report's figures while `verify` runs), so that the two do
    not slow each other down on a machine with few cores. Linux keeps a nice value per thread;
    elsewhere (where it is per process) the thread keeps the caller's priority."""

    def lowered() -> T:
        if sys.platform.startswith("linux"):
            thread = threading.get_native_id()
            with suppress(OSError):
                nice = os.getpriority(os.PRIO_PROCESS, thread) + BACKGROUND_NICE
                os.setpriority(os.PRIO_PROCESS, thread, min(nice, 19))
        return work(*args)

    with beside(lowered) as result:
        yield result


def draw(
    seed: str, order_ids: Sequence[str], rate: Decimal, helper: Helper | None = None
) -> list[Decimal]:
    """`sampling.short_tickets`, the second half drawn by the helper when there is one and the
    draw is large; drawn here too when the helper fails."""
    k = rate_places(rate)
    modulus = 10**k
    if helper is None or len(order_ids) < SPLIT_FROM:
        return tickets_from_heads(ticket_heads(seed, order_ids, modulus), k)
    half = len(order_ids) // 2
    theirs = helper.draw(seed, order_ids[half:], modulus)
    heads = ticket_heads(seed, order_ids[:half], modulus)
    rest = theirs()
    if rest is None or len(rest) != len(order_ids) - half:
        rest = ticket_heads(seed, order_ids[half:], modulus)
    return tickets_from_heads(heads + rest, k)


class Helper:
    """The helper process, waiting for draws: (seed, modulus, count) and the order ids in, their
    heads out."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "inspect_cli.speedups"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def draw(self, seed: str, order_ids: Sequence[str], modulus: int) -> Heads:
        """Send a draw; returns what waits for its heads (None when the helper failed)."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        # The ids go as one text, NUL between them (pickling a list of them would note every
        # string in its memo: several times slower); an id holding a NUL is drawn here.
        text = "\x00".join(order_ids)
        if text.count("\x00") != max(len(order_ids) - 1, 0):
            return lambda: None
        try:
            _send(stdin, (seed, modulus, len(order_ids)))
            _send_bytes(stdin, text.encode("utf-8", "surrogatepass"))
        except OSError:
            return lambda: None

        def heads() -> list[int] | None:
            try:
                found = _receive(stdout)
            except (OSError, EOFError, pickle.UnpicklingError):
                return None
            return found if isinstance(found, list) else None

        return heads

    def close(self) -> None:
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                with suppress(OSError):  # the helper is gone already
                    pipe.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


@contextmanager
def helper(needed: bool) -> Iterator[Helper | None]:
    """A helper for the draws of this block when `needed` (a large one is coming), else None."""
    if not needed or not sys.executable:
        yield None
        return
    try:
        started = Helper()
    except OSError:
        yield None
        return
    try:
        yield started
    finally:
        started.close()


def _send(pipe: BinaryIO, value: object) -> None:
    """Pickled whole and written at once: pickling straight into the pipe writes it a few
    kilobytes at a time, each write waking the other side."""
    _send_bytes(pipe, pickle.dumps(value, protocol=5))


def _send_bytes(pipe: BinaryIO, data: bytes) -> None:
    pipe.write(len(data).to_bytes(8, "little"))
    pipe.write(data)
    pipe.flush()


def _receive_bytes(pipe: BinaryIO) -> bytes:
    size = pipe.read(8)
    if len(size) < 8:
        raise EOFError
    data = pipe.read(int.from_bytes(size, "little"))
    if len(data) < int.from_bytes(size, "little"):
        raise EOFError
    return data


def _receive(pipe: BinaryIO) -> Any:
    return pickle.loads(_receive_bytes(pipe))


def _serve() -> None:
    """The helper's side: draw until the caller closes the pipe."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        while True:
            try:
                seed, modulus, count = _receive(stdin)
                text = _receive_bytes(stdin).decode("utf-8", "surrogatepass")
            except EOFError:
                return
            order_ids = text.split("\x00") if count else []
            # A count that does not match is answered with None: the caller draws them.
            found = ticket_heads(seed, order_ids, modulus) if len(order_ids) == count else None
            _send(stdout, found)
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the caller stopped first; it draws what it still needs itself


if __name__ == "__main__":
    _serve()
