"""Cleaning the file name a client's document arrived with (docs/documents.md, step 1).

The name is shown in lists and exhibit indexes and may be used to save a copy, so it must
not smuggle in a path, control characters or bidi overrides (``"invoice\\u202efdp.exe"``
shows as ``"invoiceexe.pdf"``). It is a label, never a path we open.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 120
MAX_SUFFIX_CHARS = 10
FALLBACK_NAME = "document"

# Bidi embeddings/overrides/isolates and marks, plus other invisible format characters that
# change how a name reads. (Zero-width joiners are kept: some scripts and emoji need them.)
_INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u2060\u2061\u2062\u2063\u2064\ufeff\ufff9\ufffa\ufffb"
)
_SPACES = re.compile(r"\s+")


def _keep(ch: str) -> bool:
    if ch in _INVISIBLE:
        return False
    category = unicodedata.category(ch)
    # Cc control characters, Cs lone surrogates (from undecodable bytes in a path)
    return category not in ("Cc", "Cs")


def clean_name(name: str) -> str:
    """The last path part of ``name``, without control/bidi characters, NFC, at most
    :data:`MAX_NAME_CHARS` characters (the suffix kept). Never empty."""
    text = str(name)
    # Path parts, both separators, whatever the OS we run on.
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(ch for ch in text if _keep(ch))
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text).strip()
    # A name of dots only (".", "..") is a path part, not a name; leading dots hide files.
    text = text.lstrip(". ").rstrip(" ")
    if not text:
        return FALLBACK_NAME
    if len(text) > MAX_NAME_CHARS:
        stem, dot, suffix = text.rpartition(".")
        if dot and stem and 0 < len(suffix) <= MAX_SUFFIX_CHARS and " " not in suffix:
            keep = MAX_NAME_CHARS - len(suffix) - 1
            text = stem[:keep].rstrip(" .") + "." + suffix
        else:
            text = text[:MAX_NAME_CHARS].rstrip(" .")
    return text or FALLBACK_NAME


def suffix_of(name: str) -> str:
    """The lower-case extension of a (cleaned) name without the dot, or ``""``."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > MAX_SUFFIX_CHARS:
        return ""
    return suffix.lower()


__all__ = ["FALLBACK_NAME", "MAX_NAME_CHARS", "clean_name", "suffix_of"]
