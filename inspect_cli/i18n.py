"""Dutch and French for what people read: report labels, the board report, the list's headers.

The translations are gettext catalogues (``locale/<lang>/LC_MESSAGES/inspect_cli.po``), the
format translators and their tools know, read with Babel when a language other than English is
asked for. The .po files are read directly instead of compiled .mo files: there are a few
hundred messages, reading them costs little, and there is no build step that could leave a
stale binary beside its source. English is the msgid itself and needs no catalogue. A message
without a translation falls back to English rather than failing.

The inspection list's headers use the context ``inspection list`` (msgid = the field name), so
that `record` can recognise a returned list in any language (:func:`list_header_fields`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from inspect_cli.formatting import LANGUAGES, check_language

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "inspect_cli"
LIST_CONTEXT = "inspection list"


@cache
def catalogue(lang: str) -> dict[tuple[str | None, str], str]:
    """{(context, msgid): translation} of one language (empty for English)."""
    if check_language(lang) == "en":
        return {}
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        messages = read_po(f, locale=lang)
    return {
        (m.context, str(m.id)): str(m.string) for m in messages if m.id and m.string and not m.fuzzy
    }


def translate(lang: str, message: str, context: str | None = None) -> str:
    """The message in the language, or the English message when it has no translation."""
    if lang == "en":
        return message
    return catalogue(lang).get((context, message), message)


def fill(lang: str, message: str, **values: Any) -> str:
    """The message in the language with its values filled in: ``{name}`` placeholders."""
    return translate(lang, message).format(**values)


def translator(lang: str) -> Callable[[str], str]:
    """A ``_`` function for one language (the board report's template calls it)."""
    return lambda message: translate(lang, message)


def list_headers(fields: tuple[str, ...], lang: str) -> tuple[str, ...]:
    """The inspection list's header row in a language; English keeps the field names."""
    return tuple(translate(lang, name, LIST_CONTEXT) for name in fields)


def list_header_fields(fields: tuple[str, ...]) -> dict[str, str]:
    """{header in any language: field} for reading a returned list back."""
    return {
        translate(lang, name, LIST_CONTEXT): name
        for lang in LANGUAGES
        if lang != "en"
        for name in fields
    }
