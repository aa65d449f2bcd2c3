"""Identifiers: only the exact shapes are accepted (no trailing newline, no look-alikes)."""

from __future__ import annotations

import io

import pytest
from storage_helpers import sample_record

from imrdesktop.domain.errors import UnknownAttachment, UnknownCase
from imrdesktop.storage import ids
from imrdesktop.storage.vault import Vault


@pytest.mark.parametrize("suffix", ["\n", "\r\n", " ", "\x00", "0"])
def test_ids_with_anything_after_them_are_refused(suffix: str) -> None:
    assert ids.is_case_id("C-00000000")
    assert not ids.is_case_id("C-00000000" + suffix)
    assert ids.attachment_blob_id("A-00000000") == 0
    assert ids.attachment_blob_id("A-00000000" + suffix) is None
    assert ids.VAULT_ID_RE.fullmatch("V-" + "0" * 16)
    assert not ids.VAULT_ID_RE.match("V-" + "0" * 16 + suffix)


def test_attachment_id_with_a_newline_is_unknown_not_a_crash(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        att = case.add_attachment(io.BytesIO(b"x"), {"t": "a"})
        for call in (case.read_attachment, case.delete_attachment, case.open_attachment):
            with pytest.raises(UnknownAttachment):
                call(att + "\n")
        with pytest.raises(UnknownAttachment):
            case.update_attachment_meta(att + "\n", {"t": "b"})
        assert case.read_attachment(att) == b"x"
    with pytest.raises(UnknownCase):
        vault.open_case(cid + "\n")
    with pytest.raises(UnknownCase):
        vault.delete_case(cid + "\n")
