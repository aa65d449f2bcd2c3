"""USPS certified-mail article (tracking) numbers: normalise, check, group (RULES.md D.2–D.3).

Pure: no I/O, never raises on bad input. What is accepted:

- ``impb22``: the 22-digit IMpb number of PS Form 3800 labels (MOD 10 over the first 21);
- ``impb26``: the 26-digit IMpb variant (MOD 10 over the first 25);
- ``legacy20``: the 20-digit legacy number (MOD 10 over the first 19);
- ``legacy20_91``: a 20-digit legacy number that passes only with an implied ``91`` in front.

A scanned barcode carries a routing prefix, ``420`` + ZIP (5 digits) or ``420`` + ZIP+4 (9
digits), that the printed line leaves out. Which one it is cannot be told from the digits,
so both strips are tried and the first that gives a valid number wins (RULES.md D.2).
Prefixes such as ``9589``/``9590`` are never hard-coded; only length and check digit count.

What the check catches: any single mistyped digit of a 22- or 26-digit number. For
20-digit numbers RULES.md asks to accept either rule (plain, or with the implied ``91``);
the two rules' check digits differ by a constant 8, so some single substitutions of a
legacy number (a digit changed by +2 at weight 1, by +4 at weight 3, or the check digit by
+2, modulo 10) pass under the other rule. ``kind`` then flips between ``legacy20`` and
``legacy20_91``. Adjacent transpositions of digits that differ by 5 are never caught. Hence
the app always shows the number back in groups of 4 for the advocate to confirm.

The invalid vector ``9200000000000000000000`` of RULES.md D.2 needs no special rule: its
body gives S = 9·3 + 2·1 = 29, so the check digit would be 1, not 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = ("impb22", "impb26", "legacy20", "legacy20_91", "ambiguous_scan", "unknown")
_LENGTH_KIND = {22: "impb22", 26: "impb26", 20: "legacy20"}
ROUTING = "420"
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


@dataclass(frozen=True)
class ArticleNumber:
    digits: str  # the article number's digits ("" when the input held other characters)
    valid: bool
    kind: str  # one of KINDS

    @property
    def grouped(self) -> str:
        return group4(self.digits)


def check_digit(body: str) -> int:
    """RULES.md D.3: weights 3,1,3,… from the right of the body; the digit that makes
    the weighted sum a multiple of 10."""
    total = 0
    for pos, ch in enumerate(reversed(body), start=1):
        total += (ord(ch) - 48) * (3 if pos % 2 == 1 else 1)
    return (10 - total % 10) % 10


def _passes(number: str) -> bool:
    return check_digit(number[:-1]) == ord(number[-1]) - 48


def _clean(text: str) -> str | None:
    """Spaces and dashes removed; None when anything but ASCII digits is left."""
    if not isinstance(text, str):
        return None
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not cleaned or not all("0" <= ch <= "9" for ch in cleaned):
        return None
    return cleaned


def _judge(digits: str) -> ArticleNumber | None:
    """The verdict for a number of a known length, None for any other length."""
    kind = _LENGTH_KIND.get(len(digits))
    if kind is None:
        return None
    if _passes(digits):
        return ArticleNumber(digits, True, kind)
    if kind == "legacy20" and _passes("91" + digits):
        return ArticleNumber(digits, True, "legacy20_91")
    return ArticleNumber(digits, False, kind)


def _candidates(digits: str) -> list[str]:
    """The number as typed, then with ``420``+ZIP5 and ``420``+ZIP9 stripped (the strip
    that leaves the common 22 digits first)."""
    found = [digits]
    if digits.startswith(ROUTING):
        stripped = [digits[8:], digits[12:]]
        stripped.sort(key=lambda d: len(d) != 22)
        found += [d for d in stripped if d]
    return found


def check(text: str) -> ArticleNumber:
    """Normalise ``text`` and validate it. Never raises: garbage gives ``valid=False`` and
    kind ``unknown``. An invalid number of a known length keeps its kind, so the caller
    can show it back (grouped) and ask for confirmation."""
    digits = _clean(text)
    if digits is None:
        return ArticleNumber("", False, "unknown")
    verdicts = [v for v in (_judge(c) for c in _candidates(digits)) if v is not None]
    valid = [v for v in verdicts if v.valid]
    if len({v.digits for v in valid}) > 1:
        # A 34-digit scan reads as 420+ZIP9 + 22 digits AND as 420+ZIP5 + 26 digits, and
        # both pass their check digit (about 1 scan in 10): never pick one silently.
        return ArticleNumber(valid[0].digits, False, "ambiguous_scan")
    for verdict in valid:
        return verdict
    if verdicts:
        return verdicts[0]
    return ArticleNumber(digits, False, "unknown")


def normalise(text: str) -> str:
    """The article number's digits: spaces and dashes removed, a leading ``420``+ZIP (5 or 9
    digits) stripped when that gives a valid number (or a number of a known length).
    Input holding anything but digits, spaces and dashes gives ``""``."""
    return check(text).digits


def group4(digits: str) -> str:
    """``"9400111201080805483016"`` -> ``"9400 1112 0108 0805 4830 16"``."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


__all__ = ["KINDS", "ArticleNumber", "check", "check_digit", "group4", "normalise"]
