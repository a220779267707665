"""What may be opened as an input file at all, decided before anything reads it.

Kept free of pandas: the importing process checks a file here before a worker reads it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from inspect_cli.errors import UnreadableFile


def check_regular_file(path: Path) -> None:
    """Refuse anything but a regular file before it is opened: a device (`/dev/zero`) never
    ends, and opening a named pipe waits for a writer forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UnreadableFile(f"{path.name} does not exist") from None
    except OSError as exc:
        raise UnreadableFile(f"{path.name} cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise UnreadableFile(f"{path.name} is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise UnreadableFile(f"{path.name} is not a regular file (a device, pipe or socket)")
