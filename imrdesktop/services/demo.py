"""The training vault: a throwaway vault with fictional clients for practice.

It lives in the session folder, is unlocked with a fixed passphrase, and is deleted on
quit. Everything it prints is stamped SAMPLE.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from imrdesktop.domain.case import summary_for, validate_record
from imrdesktop.resources_path import resource_path

log = logging.getLogger(__name__)

# Not a secret: the training vault holds only fictional clients and is deleted on quit.
TRAINING_PASSPHRASE = "training vault for practice only - not for real clients"  # noqa: S105
_OFFSET = re.compile(r"^@(-?\d+)$")


def load_demo_cases(today: dt.date) -> tuple[dict, list[dict]]:
    data = json.loads(resource_path("demo", "cases.json").read_text(encoding="utf-8"))

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, str):
            m = _OFFSET.match(value)
            if m:
                return (today + dt.timedelta(days=int(m.group(1)))).isoformat()
        return value

    advocate = data["advocate"]
    records = []
    for case in data["cases"]:
        record = resolve(copy.deepcopy(case["record"]))
        record["advocate"] = dict(advocate)
        records.append(validate_record(record, today=today))
    return advocate, records


def create_training_vault(session_dir: Path, today: dt.date):
    """Make a fresh training vault; returns the unlocked Vault."""
    from imrdesktop.storage.vault import Vault

    folder = session_dir / f"training-{secrets.token_hex(4)}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    vault, _recovery = Vault.create(folder, TRAINING_PASSPHRASE)
    _advocate, records = load_demo_cases(today)
    for record in records:
        case_id = vault.create_case(record, summary=summary_for(record))
        _add_sample_documents(vault, case_id, record, today)
    log.info("training vault created with %d sample cases", len(records))
    return vault


# Fictional letters for the training cases, so the documents, criteria and packet screens
# show a whole case. They are our own PDFs (no untrusted input): stored directly.
_SAMPLE_LETTERS = (
    (
        "denial_letter",
        "Notice of denial",
        "plan_written_decision_date",
        (
            "Dear {name},",
            "We reviewed the request for: {service}.",
            "The request is DENIED. Reason: {reason}",
            "under the plan's criteria.",
            "You may file a grievance with the plan within 180 days.",
            "You may also ask the Department of Managed Health Care for an",
            "Independent Medical Review (IMR).",
        ),
    ),
    (
        "physician_letter",
        "Letter of medical necessity",
        None,
        (
            "To whom it may concern,",
            "I am the treating physician of {name}.",
            "In my medical opinion, {service} is medically necessary,",
            "and the alternatives tried have not worked.",
            "(Fictional training letter.)",
        ),
    ),
)


_REASONS = {
    "med_necessity": "the service is not medically necessary",
    "experimental_investigational": "the treatment is experimental or investigational",
    "emergency_payment_med_nec": "the emergency care was not medically necessary",
}


def _letter_pdf(title: str, lines: tuple[str, ...], record: dict, day: str) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    from imrdesktop.packet import text as t
    from imrdesktop.packet.fonts import SANS

    t.register_all()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792), initialFontName=SANS, invariant=1)
    plan = record.get("plan", {}).get("name", "Sample Health Plan")
    if title == "Letter of medical necessity":
        plan = record.get("physician", {}).get("name") or "Sample Medical Clinic"
    t.draw_string(c, 72, 720, plan, 16, bold=True)
    t.draw_string(c, 72, 690, f"{title} — {day}", 12)
    t.draw_string(c, 72, 670, "SAMPLE — fictional document for training", 9)
    y = 630
    reason = (record.get("facts") or {}).get("denial_reason", "med_necessity")
    values = {
        "name": record["enrollee"]["name"],
        "service": record.get("service", "the service"),
        "reason": _REASONS.get(reason, _REASONS["med_necessity"]),
    }
    for line in lines:
        t.draw_string(c, 72, y, line.format(**values), 11)
        y -= 18
    c.showPage()
    c.save()
    return buf.getvalue()


def _add_sample_documents(vault, case_id: str, record: dict, today: dt.date) -> None:
    from imrdesktop.documents.client import Converted
    from imrdesktop.documents.inputs import InputFile
    from imrdesktop.services.documents import DocumentsService
    from imrdesktop.services.session import VaultSession

    if not record.get("service"):
        return  # the "new case" example starts with nothing attached
    facts = record.get("facts") or {}
    items = []
    for kind, title, date_key, lines in _SAMPLE_LETTERS:
        day = facts.get(date_key) if date_key else None
        day = day or today.isoformat()
        pdf = _letter_pdf(title, lines, record, day)
        name = f"{title.lower().replace(' ', '-')}.pdf"
        items.append(
            (
                kind,
                title,
                day,
                InputFile(name, pdf, "pdf", ()),
                Converted(pdf, 1, ((612.0, 792.0),), ()),
            )
        )
    service = DocumentsService(VaultSession(vault, training=True))
    for kind, title, day, item, conv in items:
        service.attach(case_id, [(item, conv)], kind=kind, title=title, date=day, source="training")


def remove_training_vaults(session_dir: Path) -> None:
    if not session_dir.is_dir():
        return
    for child in session_dir.glob("training-*"):
        shutil.rmtree(child, ignore_errors=True)
