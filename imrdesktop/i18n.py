"""The one translation function for every layer (gettext catalogs, Babel extraction).

Every user-visible string goes through ``_()`` (or ``ngettext`` for plurals). Strings that
must be marked where they are defined but translated where they are shown (tables, data)
use ``N_()``, which only marks them for extraction.

The active language is held in a context variable, so a packet can be printed in the
client's language (``with use_language("es"): ...``) while the interface stays in another.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
from collections.abc import Iterator
from pathlib import Path

DOMAIN = "imrdesktop"
SUPPORTED = ("en", "es")

_catalogs: dict[str, gettext.NullTranslations] = {}
_interface_language = "en"
_active: contextvars.ContextVar[str | None] = contextvars.ContextVar("imr_language", default=None)


def locale_dir() -> Path:
    from imrdesktop.resources_path import resource_path

    return resource_path("locale")


def _catalog(lang: str) -> gettext.NullTranslations:
    cat = _catalogs.get(lang)
    if cat is None:
        cat = gettext.translation(
            DOMAIN, localedir=str(locale_dir()), languages=[lang], fallback=True
        )
        _catalogs[lang] = cat
    return cat


def install_catalog(lang: str, catalog: gettext.NullTranslations) -> None:
    """Register a catalog explicitly (used by tests, e.g. a pseudo-locale)."""
    _catalogs[lang] = catalog


def current_language() -> str:
    return _active.get() or _interface_language


def set_interface_language(lang: str) -> None:
    global _interface_language
    _interface_language = lang if lang else "en"


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[None]:
    """Translate into ``lang`` inside the block (e.g. a packet in the client's language)."""
    token = _active.set(lang or None)
    try:
        yield
    finally:
        _active.reset(token)


def _(message: str) -> str:
    return _catalog(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message
