"""The answers object the criteria interview edits: the case's facts record being edited.

The facts record is the dict facts.md describes (dotted names such as ``grievance.filed_date``
address nested keys). A key that is present means the question was answered — ``None`` is a
real answer ("don't know", "no decision yet") — and an absent key means nobody asked yet.
The engine reads both the same way (unknown); the interview needs the difference so that a
question answered "don't know" shows that answer again.

Pure Python: no Qt, no I/O. Every interview page reads and writes one shared ``Answers``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_ABSENT = object()


def _parts(key: str) -> list[str]:
    parts = key.split(".")
    if not key or any(not p for p in parts):
        raise ValueError(f"not a dotted facts key: {key!r}")
    return parts


@dataclass
class Answers:
    """A facts record being edited, addressed by dotted keys."""

    facts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_facts(cls, facts: dict | None) -> Answers:
        """A private deep copy of ``facts`` (the case's record is never edited in place)."""
        return cls(copy.deepcopy(facts) if isinstance(facts, dict) else {})

    def to_facts(self) -> dict[str, Any]:
        return copy.deepcopy(self.facts)

    def copy(self) -> Answers:
        return Answers.from_facts(self.facts)

    # --- dotted access ----------------------------------------------------------------------
    def _lookup(self, key: str) -> Any:
        node: Any = self.facts
        for part in _parts(key):
            if not isinstance(node, dict) or part not in node:
                return _ABSENT
            node = node[part]
        return node

    def has(self, key: str) -> bool:
        """True when the key is present, even with the value ``None`` (answered "unknown")."""
        return self._lookup(key) is not _ABSENT

    def get(self, key: str, default: Any = None) -> Any:
        value = self._lookup(key)
        return default if value is _ABSENT else value

    def set(self, key: str, value: Any) -> None:
        parts = _parts(key)
        node = self.facts
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = copy.deepcopy(value)

    def unset(self, key: str) -> bool:
        """Remove a key (and any group it leaves empty). Returns True if it was there."""
        parts = _parts(key)
        trail: list[tuple[dict, str]] = []
        node: Any = self.facts
        for part in parts[:-1]:
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                return False
            trail.append((node, part))
            node = node[part]
        if not isinstance(node, dict) or parts[-1] not in node:
            return False
        del node[parts[-1]]
        for parent, part in reversed(trail):
            if parent[part]:
                break
            del parent[part]
        return True

    def drop_unshown(self, hidden_keys: Iterable[str], shown_keys: Iterable[str]) -> list[str]:
        """Forget the answers of questions that are no longer shown.

        ``hidden_keys`` are the keys written by questions the interview now skips;
        ``shown_keys`` those written by questions it still asks (a key written by both — an
        option of a shown question may set it too — is kept). Keys no question writes are
        left alone. Returns the keys removed, in order.
        """
        keep = set(shown_keys)
        dropped = []
        for key in hidden_keys:
            if key not in keep and self.unset(key):
                dropped.append(key)
        return dropped
