"""T-LEAK-1/2 at the storage level: canary strings put into records, the summary, an
attachment and a bundle are found nowhere on disk (vault folder, the whole per-test sandbox
with HOME, XDG dirs and TMPDIR) nor in the logs — in any encoding the scanner knows."""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path

from leakscan import scan_for  # tests/leakscan.py (shared with the GUI leak tests)
from storage_helpers import BUNDLE_PASSPHRASE, CHUNK, PASSPHRASE

from imrdesktop.storage.vault import Vault


def test_no_plaintext_on_disk_or_in_logs(sandbox: Path, tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    canaries = [f"CANARY-{uuid.uuid4()}" for _ in range(5)]
    name, note, title, body, summary = canaries
    vault_path = sandbox / "home" / ".local" / "share" / "IMRDesktop" / "vault"
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case({"enrollee": {"name": name}, "notes": note}, {"name": summary})
    with vault.open_case(cid) as case:
        case.save({"letter": {"text": f"{note} {body}"}}, {"name": summary, "status": "open"})
        blob = (body.encode() * 50_000)[: CHUNK + 4321]
        att = case.add_attachment(io.BytesIO(blob), {"title": title})
        assert case.read_attachment(att) == blob
        # while the case is open (its write-ahead log holds the last saves)
        assert scan_for(vault_path, canaries) == []
    out = sandbox / "tmp" / "hand-off.imrbundle"
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    copy = vault.import_case(out, BUNDLE_PASSPHRASE)
    # an import rebuilds the summary from the case record (H1): its name is the record's
    assert [c.summary["name"] for c in vault.list_cases()] == [summary, name]
    vault.delete_case(copy)
    assert vault.verify() == []
    vault.lock()
    Vault.open(vault_path, PASSPHRASE).lock()
    hits = scan_for(sandbox, canaries) + scan_for(tmp_path, canaries)
    assert hits == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged  # the storage layer does log (case ids and counts)
    assert not any(c in logged for c in canaries)
    assert not any(c in caplog.text for c in canaries)
    # control: the scanner does see a plaintext copy when there is one
    (sandbox / "tmp" / "control.txt").write_text(f"x {name} y", encoding="utf-16-le")
    assert [n for _p, n in scan_for(sandbox, canaries)] == [name]
