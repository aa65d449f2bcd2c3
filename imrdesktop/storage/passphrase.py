"""Passphrase rules (NIST SP 800-63B rev. 4, RELIABILITY.md §1.8 and T-KEY-5).

- at least 15 characters, counted as code points after NFKC normalisation;
- no composition rules; every printing character, space and Unicode is allowed;
- no truncation: up to 1024 characters are accepted (more is refused as ``too_long``, a
  guard against pasting a whole document, far above the 64 NIST asks to allow);
- refused if, lower-cased with white space removed, it is on the blocklist or is one
  blocklisted word repeated. The blocklist is built offline from the word lists that ship
  inside the ``zxcvbn`` package (30,000 leaked passwords, 30,000 English Wikipedia words,
  19,000 film/TV words, 14,700 first names and surnames: ~94,000 entries) plus context words
  (the app's own names, "password", "passphrase"), and a few patterns (one character
  repeated, alphabet/number runs, keyboard walks), each also with digits or punctuation
  stuck on either end ("password1234567").
"""

from __future__ import annotations

import functools
import re
import secrets
import string
import unicodedata

from imrdesktop.domain.errors import WeakPassphrase

MIN_CHARS = 15
MAX_CHARS = 1024

CONTEXT_WORDS = (
    "imr",
    "dmhc",
    "imrdesktop",
    "imrdesk",
    "desktop",
    "password",
    "passphrase",
    "passwort",
    "contraseña",
    "independentmedicalreview",
    "medicalreview",
    "healthadvocate",
    "advocate",
    "california",
    "letmein",
    "changeme",
)

# Keyboard walks (row by row and column by column) on US QWERTY; checked as substrings.
_WALKS = (
    "qwertyuiopasdfghjklzxcvbnm",
    "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "0123456789012345678901234567890",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
)
_AFFIX = string.digits + string.punctuation + "¡¿€£"
_SPACES = re.compile(r"\s+", re.UNICODE)


@functools.lru_cache(maxsize=1)
def blocklist() -> frozenset[str]:
    """~94,000 normalised entries; built once, lazily (importing the lists costs ~0.1 s)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words: set[str] = set()
    for entries in FREQUENCY_LISTS.values():
        words.update(_normalise(w) for w in entries)
    words.update(CONTEXT_WORDS)
    words.discard("")
    return frozenset(words)


def _normalise(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).casefold())


def _smallest_unit(text: str) -> str:
    """The shortest string that, repeated, gives ``text`` (``text`` itself if none)."""
    n = len(text)
    for size in range(1, n // 2 + 1):
        if n % size == 0 and text[:size] * (n // size) == text:
            return text[:size]
    return text


def _is_walk(text: str) -> bool:
    if len(text) < 3:
        return False
    for walk in _WALKS:
        if text in walk or text in walk[::-1]:
            return True
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1})


def _is_weak_core(core: str) -> bool:
    if not core:
        return True
    words = blocklist()
    if core in words:
        return True
    unit = _smallest_unit(core)
    if unit != core and (len(unit) <= 3 or unit in words or _is_walk(unit)):
        return True
    return _is_walk(core)


def check_passphrase(passphrase: str) -> None:
    """Raise :class:`WeakPassphrase` (reason ``too_short``, ``too_long``, ``common`` or
    ``invalid``) unless the passphrase may protect a vault or a bundle."""
    if not isinstance(passphrase, str):
        raise WeakPassphrase("not text", reason="invalid")
    text = unicodedata.normalize("NFKC", passphrase)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise WeakPassphrase("unencodable", reason="invalid") from None
    if len(text) < MIN_CHARS:
        raise WeakPassphrase("too short", reason="too_short")
    if len(text) > MAX_CHARS:
        raise WeakPassphrase("too long", reason="too_long")
    norm = _normalise(text)
    if _is_weak_core(norm):
        raise WeakPassphrase("blocklisted", reason="common")
    core = norm.strip(_AFFIX)
    if core and core != norm and _is_weak_core(core):
        raise WeakPassphrase("blocklisted with affix", reason="common")


@functools.lru_cache(maxsize=1)
def _suggestion_words() -> tuple[str, ...]:
    """7,776 common, plain English words (4–8 letters): 5 of them ≈ 64.6 bits."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    picked: list[str] = []
    seen: set[str] = set()
    for word in FREQUENCY_LISTS["english_wikipedia"]:
        if 4 <= len(word) <= 8 and word.isascii() and word.isalpha() and word not in seen:
            seen.add(word)
            picked.append(word)
            if len(picked) == 7776:
                break
    return tuple(picked)


def suggest_passphrase(n_words: int = 5) -> str:
    """Five random words joined by spaces (diceware-style, drawn with ``secrets``)."""
    words = _suggestion_words()
    while True:
        candidate = " ".join(secrets.choice(words) for _ in range(n_words))
        try:
            check_passphrase(candidate)
        except WeakPassphrase:
            continue
        return candidate
