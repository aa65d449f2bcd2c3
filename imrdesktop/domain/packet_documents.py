"""Which copies the packet still needs (RULES.md C), from data: pure, no I/O.

The list is data (``forms/criteria/packet-documents.json``); the services read it. An item
is missing until a document of its kind is attached to the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from imrdesktop.i18n import _

KINDS = (
    "denial_letter",
    "grievance",
    "plan_response",
    "physician_letter",
    "medical_record",
    "literature",
    "other",
)
_WHEN = ("grievance_decided", "grievance_undecided")


@dataclass(frozen=True)
class PacketDocument:
    kind: str
    text: str
    pathways: frozenset[str]
    when: str | None = None


def parse_packet_documents(data: Any) -> tuple[PacketDocument, ...]:
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError("packet-documents: not version 1 data")
    items = []
    for i, raw in enumerate(data.get("documents") or ()):
        where = f"packet-documents: documents[{i}]"
        if not isinstance(raw, dict) or set(raw) - {"kind", "text", "pathways", "when"}:
            raise ValueError(f"{where}: unexpected keys")
        if raw.get("kind") not in KINDS or not isinstance(raw.get("text"), str):
            raise ValueError(f"{where}: kind or text")
        when = raw.get("when")
        if when is not None and when not in _WHEN:
            raise ValueError(f"{where}: when")
        items.append(
            PacketDocument(raw["kind"], raw["text"], frozenset(raw.get("pathways") or ()), when)
        )
    return tuple(items)


def missing_documents(
    catalog: Iterable[PacketDocument],
    pathway: str,
    grievance_decided: bool,
    grievance_filed: bool,
    attached_kinds: Iterable[str],
) -> list[dict[str, str]]:
    """The copies this pathway's packet needs that the case does not have yet."""
    have = set(attached_kinds)
    out = []
    for item in catalog:
        if pathway not in item.pathways or item.kind in have:
            continue
        if item.when == "grievance_decided" and not grievance_decided:
            continue
        if item.when == "grievance_undecided" and not (grievance_filed and not grievance_decided):
            continue
        out.append({"kind": item.kind, "text": _(item.text)})
    return out
