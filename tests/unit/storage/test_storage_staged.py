"""Two-phase import: staged attachments become visible only with the save that names them."""

from __future__ import annotations

import io
import os
import sqlite3

import pytest
from storage_helpers import sample_record

from imrdesktop.domain.errors import UnknownAttachment, WriteFailed
from imrdesktop.storage.stream import CHUNK_SIZE as CHUNK
from imrdesktop.storage.vault import Vault


def test_staged_attachments_commit_with_the_record(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    a, b = os.urandom(CHUNK + 10), b"%PDF-1.7 clean"
    with vault.open_case(cid) as case:
        gen = case.generation
        s1 = case.stage_attachment(io.BytesIO(a), {"role": "original"})
        s2 = case.stage_attachment(io.BytesIO(b), {"role": "pdf"})
        assert case.attachments() == []  # invisible until saved
        assert case.generation == gen
        case.save({"documents": {"items": [s1.att_id, s2.att_id]}}, add=[s1, s2])
        assert case.generation == gen + 1
        assert [i.id for i in case.attachments()] == [s1.att_id, s2.att_id]
    with vault.open_case(cid) as case:
        assert case.get("documents") == {"items": [s1.att_id, s2.att_id]}
        assert case.read_attachment(s1.att_id) == a
        assert case.read_attachment(s2.att_id) == b
        case.verify()
        # delete= removes attachments in the same save as the record change
        case.save({"documents": {"items": []}}, delete=[s1.att_id, s2.att_id])
        assert case.attachments() == []
        with pytest.raises(UnknownAttachment):
            case.read_attachment(s1.att_id)
    with vault.open_case(cid) as case:
        assert case.attachments() == []
        case.verify()


def test_discarded_and_abandoned_stages_leave_nothing(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    path = vault.case_path(cid)
    with vault.open_case(cid) as case:
        s = case.stage_attachment(io.BytesIO(os.urandom(3 * CHUNK)), {})
        case.discard_staged(s)
        case.stage_attachment(io.BytesIO(os.urandom(2 * CHUNK)), {})  # never saved (a crash)
    with vault.open_case(cid) as case:  # the orphans of the abandoned stage are removed
        assert case.attachments() == []
        case.verify()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM chunk").fetchone()[0] == 0
    finally:
        conn.close()


def test_a_failed_save_keeps_the_case_as_it_was(vault: Vault, monkeypatch) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        before = (case.generation, case.keys(), case.attachments())
        s = case.stage_attachment(io.BytesIO(b"original"), {})

        def boom(*_a, **_k):
            raise WriteFailed("injected")

        monkeypatch.setattr(case, "_seal_manifest", boom)
        with pytest.raises(WriteFailed):
            case.save({"documents": {"items": [s.att_id]}}, add=[s])
        monkeypatch.undo()
        assert (case.generation, case.keys(), case.attachments()) == before
        case.discard_staged(s)
    with vault.open_case(cid) as case:
        assert case.attachments() == []
        case.verify()


def test_an_unknown_delete_changes_nothing(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        gen = case.generation
        with pytest.raises(UnknownAttachment):
            case.save({"documents": {"items": []}}, delete=["A-nope"])
        assert case.generation == gen
        assert case.get("documents") is None
