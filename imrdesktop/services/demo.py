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
        vault.create_case(record, summary=summary_for(record))
    log.info("training vault created with %d sample cases", len(records))
    return vault


def remove_training_vaults(session_dir: Path) -> None:
    if not session_dir.is_dir():
        return
    for child in session_dir.glob("training-*"):
        shutil.rmtree(child, ignore_errors=True)
