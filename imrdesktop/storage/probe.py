"""Questions about a vault that need no secret: is it there and sound? forget its token."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from imrdesktop.domain.errors import ImrError, KeyringUnavailable
from imrdesktop.storage import keyring_token
from imrdesktop.storage.vault import _read_header

log = logging.getLogger(__name__)


def check_vault(path: Path) -> None:
    """Raise NoVault / NotAVault / VaultDamaged / NewerFormat / HostileParameters before
    anyone is asked for a passphrase. A damaged header with a sound backup copy passes:
    opening the vault repairs it (VaultDamaged means both copies are damaged)."""
    _read_header(Path(path))


def forget_tokens(vault_paths: Iterable[Path], backend=None) -> int:
    """Delete the "remember on this computer" token of every vault given (e.g. when the PC
    is marked shared). Returns how many vaults were looked at."""
    try:
        be = keyring_token.resolve_backend(backend)
    except KeyringUnavailable:
        return 0
    count = 0
    for path in vault_paths:
        try:
            vault_id = _read_header(Path(path)).header.vault_id
        except ImrError:
            continue
        keyring_token.delete_token(be, vault_id)
        count += 1
    log.info("forgot remembered unlock tokens of %d vaults", count)
    return count
