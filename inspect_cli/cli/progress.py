"""Progress of long steps on stderr, the one implementation every command uses.

On a terminal a transient spinner with the count so far; off a terminal (cron, a pipe) plain
timestamped lines, as the log writes them, once a step has run for a second and then every
ten seconds, with a last line when it ends. A step that ends within the second prints nothing,
so quick commands and their mails stay as they were.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from inspect_cli.cli.common import formatter, stderr
from inspect_cli.formatting import Formatter

Advance = Callable[[int], None]

# Seconds before the first plain line, and between the next ones.
FIRST_LINE_AFTER = 1.0
LINE_EVERY = 10.0


@contextmanager
def progress(
    label: str, unit: str | None = None, *, fmt: Formatter | None = None, on: bool = True
) -> Iterator[Advance]:
    """Show `label` while the block runs; the function it gives adds n to the count of `unit`
    ("rows read"). With `on` false (JSON output, --quiet) nothing is shown."""
    console = stderr()
    fmt = fmt or formatter()
    if not on:
        yield lambda n: None
    elif console.is_terminal:
        with _spinner(console, label, unit, fmt) as advance:
            yield advance
    else:
        with _plain_lines(console, label, unit, fmt) as advance:
            yield advance


def _text(label: str, unit: str | None, count: int, fmt: Formatter) -> str:
    if unit is None or not count:
        return f"{label}…"
    return f"{label}: {fmt.count(count)} {unit}"


@contextmanager
def _spinner(console, label: str, unit: str | None, fmt: Formatter) -> Iterator[Advance]:
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as bar:
        task = bar.add_task(_text(label, unit, 0, fmt), total=None)
        count = 0

        def advance(n: int) -> None:
            nonlocal count
            count += n
            bar.update(task, description=_text(label, unit, count, fmt))

        yield advance


@contextmanager
def _plain_lines(console, label: str, unit: str | None, fmt: Formatter) -> Iterator[Advance]:
    count = 0
    printed = False
    done = threading.Event()
    lock = threading.Lock()

    def line(text: str) -> None:
        nonlocal printed
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with lock:
            console.file.write(f"{stamp} INFO {text}\n")
            console.file.flush()
            printed = True

    def tick() -> None:
        wait = FIRST_LINE_AFTER
        while not done.wait(wait):
            line(_text(label, unit, count, fmt))
            wait = LINE_EVERY

    def advance(n: int) -> None:
        nonlocal count
        count += n

    ticker = threading.Thread(target=tick, name="progress", daemon=True)
    started = time.monotonic()
    ticker.start()
    try:
        yield advance
    finally:
        done.set()
        ticker.join()
        if printed:
            seconds = round(time.monotonic() - started)
            counted = f", {fmt.count(count)} {unit}" if unit else ""
            line(f"{label}: done{counted} in {fmt.count(seconds)} s")
