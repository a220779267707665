"""Text from contractor files made safe to show: on a terminal, in a log or in a reason file.

The store keeps every text as received; only what is *shown* is escaped. A name carrying an
ANSI escape (``\\x1b[31m``), an OSC title sequence, a carriage return that overwrites the line
or a bidirectional override would otherwise act on the reader's terminal instead of being read.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode bidirectional embeddings, overrides and
# isolates ("Trojan Source"): each is shown as its escape, \x1b or \u202e.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# The same without line feed and tab: multi-line messages and tables keep their layout.
_LAYOUT_KEPT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_layout: bool = False) -> str:
    """`text` with every control character written as its escape (``\\x1b``); with
    `keep_layout`, line feeds and tabs stay as they are."""
    return (_LAYOUT_KEPT if keep_layout else _CONTROLS).sub(_escape, text)


def excerpt(text: str, limit: int = 60) -> str:
    """A short one-line excerpt of untrusted text, escaped and cut to about `limit`
    characters, for a reason or a log line that must not carry a file's content."""
    shown = escape_controls(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


_UNESCAPED_BY_JSON = re.compile(f"[\x7f-\x9f{_BIDI}]")


def escape_json(text: str) -> str:
    """JSON text with DEL, C1 controls and bidirectional overrides written as \\u escapes,
    which `json.dumps(ensure_ascii=False)` leaves raw; the data read back is the same."""
    return _UNESCAPED_BY_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
