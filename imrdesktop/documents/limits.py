"""Hard caps for importing untrusted files (docs/documents.md, "Limits").

Every cap gives a fixed problem code when crossed (:mod:`imrdesktop.documents.problems`).
The same :class:`Limits` travels to the worker process, which applies the parser-side ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 512 * 1024 * 1024  # one input file
    max_pages: int = 2000  # pages of a PDF, frames of a TIFF turned into pages, text pages
    max_image_pixels: int = 100_000_000  # per image or frame (Pillow's bomb cap, made real)
    max_frames: int = 500  # TIFF frames
    min_page_inches: float = 0.1  # shortest allowed page side
    max_page_inches: float = 200.0  # longest allowed page side (the PDF spec's own limit)
    max_text_bytes: int = 5 * 1024 * 1024  # text files
    timeout_s: float = 120.0  # wall clock per worker request (the worker is killed)
    memory_bytes: int = 1536 * 1024 * 1024  # RLIMIT_AS of the worker process (POSIX)
    max_render_px: int = 4000  # longer side of a rendered page preview

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Limits:
        """The limits as sent by the parent process (unknown keys ignored, types checked)."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            if field.name not in data:
                continue
            value = data[field.name]
            kind = float if field.type in ("float", float) else int
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"bad limit {field.name}")
            values[field.name] = kind(value)
            if values[field.name] <= 0:
                raise ValueError(f"bad limit {field.name}")
        return cls(**values)


DEFAULT_LIMITS = Limits()

__all__ = ["DEFAULT_LIMITS", "Limits"]
