"""Make the golden files of the current storage format (KeePassXC's Format400.kdbx idea).

    IMRDESKTOP_TEST_FAST_KDF=1 .venv/bin/python tests/data/make_golden.py tests/data/golden/v1

Run it ONCE per released format version and commit the output; never regenerate an
existing version's folder: the committed bytes are what the tests open forever.
The vault uses the cheap test KDF profile, a known passphrase and fictional clients.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("IMRDESKTOP_TEST_FAST_KDF", "1")

from imrdesktop.storage.vault import Vault

PASSPHRASE = "golden vault passphrase — ünïcødé ✓ 2024"
BUNDLE_PASSPHRASE = "golden bundle passphrase for the hand-off"

CASES = [
    {
        "record": {
            "enrollee": {
                "name": "Nguyễn Văn Anh",
                "date_of_birth": "1958-03-14",
                "phone": "555-0142",
            },
            "plan": {"name": "Golden State Sample Plan", "member_id": "GS-000123"},
            "service": "Physical therapy, 12 sessions",
            "notes": "Prefers Vietnamese; daughter helps (fictional).",
        },
        "summary": {"name": "Nguyễn Văn Anh", "status": "draft", "next_deadline": None},
        "more": {
            "timeline": {"denial": "2024-01-05", "grievance": "2024-01-20"},
            "letter": {"text": "Dear reviewer,\n\n… ✓ 中文 한국어 Հայերեն العربية\n"},
        },
        "attachments": [
            (
                {"title": "Denial letter", "kind": "denial_letter"},
                b"%PDF-1.4 fictional denial\n" * 40,
            ),
            ({"title": "Empty note", "kind": "other"}, b""),
        ],
    },
    {
        "record": {
            "enrollee": {"name": "María José Ñúñez-O'Brien", "preferred_language": "es"},
            "service": "Continuous glucose monitor",
        },
        "summary": {
            "name": "María José Ñúñez-O'Brien",
            "status": "ready",
            "next_deadline": {"date": "2024-07-01", "what": "IMR application"},
        },
        "more": {},
        "attachments": [],
    },
]


def main(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} exists: golden files are never regenerated")
    out.mkdir(parents=True, exist_ok=True)
    vault_dir = out / "vault"
    vault, recovery_key = Vault.create(vault_dir, PASSPHRASE)
    expected: dict = {
        "passphrase": PASSPHRASE,
        "recovery_key": recovery_key,
        "bundle_passphrase": BUNDLE_PASSPHRASE,
        "vault_id": vault.vault_id,
        "cases": {},
    }
    for spec in CASES:
        cid = vault.create_case(spec["record"], spec["summary"])
        with vault.open_case(cid) as case:
            if spec["more"]:
                case.save(spec["more"])
            atts = []
            for meta, data in spec["attachments"]:
                att = case.add_attachment(io.BytesIO(data), meta)
                atts.append(
                    {
                        "id": att,
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "meta": meta,
                        "data_b64": base64.b64encode(data).decode(),
                    }
                )
            expected["cases"][cid] = {
                "summary": spec["summary"],
                "generation": case.generation,
                "records": {k: case.get(k) for k in case.keys()},  # noqa: SIM118
                "attachments": atts,
            }
    first = next(iter(expected["cases"]))
    vault.export_case(first, out / "case.imrbundle", BUNDLE_PASSPHRASE)
    expected["bundle_case"] = first
    vault.lock()
    (out / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"golden files written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
