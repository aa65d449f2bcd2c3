"""The fixed list of reasons a file is refused, and of notes kept with an imported document.

A :class:`DocumentProblem` crosses the process boundary as ``{"code": ..., "params": {...}}``.
Params are numbers and short identifiers only (a page number, a size, a limit): never
anything read from the document, so a problem can be logged and shown safely. The services
turn it into ``domain.errors.DocumentRefused`` and the message table words it.
"""

from __future__ import annotations

import math
from typing import Any

PROBLEM_CODES: frozenset[str] = frozenset(
    {
        "empty",
        "too_large",
        "not_regular",
        "not_supported",
        "password_required",
        "password_wrong",
        "pdf_damaged",
        "too_many_pages",
        "page_size",
        "image_too_large",
        "image_damaged",
        "too_many_frames",
        "text_binary",
        "text_too_large",
        "timeout",
        "memory",
        "worker_failed",
    }
)

NOTE_CODES: frozenset[str] = frozenset(
    {
        "type_mismatch",
        "name_cleaned",
        "repaired",
        "active_content_removed",
        "exif_rotated",
        "location_removed",
        "alpha_flattened",
        "reencoded",
    }
)

MAX_PARAMS = 8
MAX_PARAM_STR = 40


def _safe_params(params: dict[str, Any]) -> dict[str, int | float | str]:
    """Only numbers and short ASCII identifiers survive (a bad value is dropped)."""
    out: dict[str, int | float | str] = {}
    for key, value in list(params.items())[:MAX_PARAMS]:
        if not isinstance(key, str) or not key.isidentifier() or len(key) > MAX_PARAM_STR:
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            out[key] = value
        elif isinstance(value, float):
            if math.isfinite(value):
                out[key] = round(value, 2)
        elif (
            isinstance(value, str)
            and len(value) <= MAX_PARAM_STR
            and value.isascii()
            and value.replace("_", "").replace("-", "").isalnum()
        ):
            out[key] = value
    return out


class DocumentProblem(Exception):
    """A file was refused (or a conversion failed) for one of :data:`PROBLEM_CODES`."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in PROBLEM_CODES:
            raise ValueError(f"unknown document problem code {code!r}")
        self.code = code
        self.params = _safe_params(params)
        super().__init__(code)

    def __str__(self) -> str:
        if not self.params:
            return self.code
        details = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.code} ({details})"

    def __reduce__(self):
        return (_rebuild, (self.code, self.params))

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_json(cls, d: Any) -> DocumentProblem:
        """Parse what the worker sent; anything malformed becomes ``worker_failed``."""
        if not isinstance(d, dict) or d.get("code") not in PROBLEM_CODES:
            return cls("worker_failed")
        params = d.get("params")
        return cls(d["code"], **(params if isinstance(params, dict) else {}))


def _rebuild(code: str, params: dict[str, Any]) -> DocumentProblem:
    return DocumentProblem(code, **params)


__all__ = ["NOTE_CODES", "PROBLEM_CODES", "DocumentProblem"]
