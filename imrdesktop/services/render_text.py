"""Plain-text views for the command line."""

from __future__ import annotations

from imrdesktop.domain.documents import KIND_LABELS
from imrdesktop.i18n import _


def case_as_text(data: dict) -> str:
    e = data.get("enrollee", {})
    plan = data.get("plan", {})
    lines = [
        _("Case {id}").format(id=data.get("id", "")),
        _("Client: {name}").format(name=e.get("name", "")),
    ]
    if e.get("date_of_birth"):
        lines.append(_("Date of birth: {date}").format(date=e["date_of_birth"]))
    if plan:
        lines.append(
            _("Plan: {plan} (member id {member})").format(
                plan=plan.get("name", "—"), member=plan.get("member_id", "—")
            )
        )
    if data.get("service"):
        lines.append(_("Service at issue: {service}").format(service=data["service"]))
    docs = data.get("documents") or []
    lines.append(_("Documents: {n}").format(n=len(docs)))
    for d in docs:
        mark = (
            _("Exhibit {letter}").format(letter=d["exhibit"])
            if d.get("exhibit")
            else _("not in the packet")
        )
        lines.append(
            "  "
            + _("{mark}: {title} ({kind}, {pages} pages) {id}").format(
                mark=mark,
                title=d.get("title", ""),
                kind=_(KIND_LABELS.get(d.get("kind", ""), d.get("kind", ""))),
                pages=d.get("pages", "?"),
                id=d.get("id", ""),
            )
        )
    if data.get("notes"):
        lines.append(_("Notes: {notes}").format(notes=data["notes"]))
    return "\n".join(lines)
