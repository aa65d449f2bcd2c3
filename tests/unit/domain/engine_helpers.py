"""Small helpers shared by the rules-engine tests (imported by name, as the storage tests do)."""

from __future__ import annotations

import datetime as dt


def D(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
