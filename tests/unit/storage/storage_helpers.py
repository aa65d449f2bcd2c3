"""Shared constants and helpers of the storage tests (a unique module name: test folders
have no __init__.py, so helper modules share one flat namespace)."""

from __future__ import annotations

import io
from typing import Any

PASSPHRASE = "violet tractor sings under 7 moons"
OTHER_PASSPHRASE = "quiet lantern orbits a paper harbor"
BUNDLE_PASSPHRASE = "saffron kettle drifts past nine bridges"
CHUNK = 1024 * 1024


def sample_record(i: int = 0) -> dict[str, Any]:
    return {
        "enrollee": {
            "name": f"Nguyễn Văn Anh {i}",
            "date_of_birth": "1961-04-02",
            "phone": "555-0101",
        },
        "plan": {"name": "Sample Health Plan", "member_id": f"M{i:06d}"},
        "service": "physical therapy — 12 sessions",
        "notes": "Ünïcødé ✓ 中文 한국어 Հայերեն العربية",
    }


def add_bytes(case: Any, data: bytes, **meta: Any) -> str:
    return case.add_attachment(io.BytesIO(data), meta or {"title": "doc"})


def snapshot(case: Any) -> dict[str, Any]:
    """Everything a case holds, decrypted: records, summary and attachment bytes."""
    return {
        "records": {k: case.get(k) for k in case.keys()},  # noqa: SIM118 - not a dict
        "summary": case.summary,
        "attachments": [
            (a.id, a.size, a.sha256, a.meta, case.read_attachment(a.id)) for a in case.attachments()
        ],
    }
