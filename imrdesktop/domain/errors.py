"""Typed errors raised by the core layers.

Errors carry *what kind* of failure happened and a few safe parameters (a field name, a
file's base name, a format version) — never client data. The wording a person reads lives
in one table, :mod:`imrdesktop.services.messages`, shared by the GUI and the CLI.

``exit_code`` follows shared/CLI.md: 1 environment, 2 user input, 3 damaged or foreign
data, 4 wrong passphrase.
"""

from __future__ import annotations

from typing import Any


class ImrError(Exception):
    """Base of every error the app expects and can explain."""

    exit_code = 1

    def __init__(self, detail: str = "", **params: Any) -> None:
        # ``detail`` is for logs and --debug only: it must never contain client data.
        super().__init__(detail or type(self).__name__)
        self.params = params


# --- exit 1: the environment failed -------------------------------------------------
class EnvironmentFailure(ImrError):
    exit_code = 1


class DiskFull(EnvironmentFailure):
    pass


class StoragePermissionDenied(EnvironmentFailure):
    pass


class WriteFailed(EnvironmentFailure):
    pass


class CaseInUse(EnvironmentFailure):
    pass


class AlreadyRunning(EnvironmentFailure):
    pass


class KeyringUnavailable(EnvironmentFailure):
    pass


class VaultLocked(EnvironmentFailure):
    pass


class InputFileUnreadable(EnvironmentFailure):
    """A file given to import exists but cannot be read (permission, I/O error)."""


class CaseClosed(EnvironmentFailure):
    """A case file was used after ``close()`` (a programming slip, not data damage)."""


# --- exit 2: the user's input is wrong ----------------------------------------------
class UserInputError(ImrError):
    exit_code = 2


class UsageError(UserInputError):
    pass


class InvalidField(UserInputError):
    """A field of a JSON record or facts file is wrong. params: field, problem."""


class BadJsonFile(UserInputError):
    pass


class InputFileMissing(UserInputError):
    pass


class UnknownCase(UserInputError):
    pass


class UnknownAttachment(UserInputError):
    pass


class DocumentRefused(UserInputError):
    """A file given to attach cannot be taken. params: reason (a problem code of
    docs/documents.md), name (the cleaned file name) and a few numbers (limits, page)."""


class DocumentPasswordRequired(DocumentRefused):
    pass


class DocumentPasswordWrong(DocumentRefused):
    pass


class WeakPassphrase(UserInputError):
    """params: reason ("too_short", "too_long", "common", "mismatch", "invalid")."""


class PassphraseRequired(UserInputError):
    pass


class VaultExists(UserInputError):
    pass


class NoVault(UserInputError):
    pass


class SharedPcRefusesKeyring(UserInputError):
    pass


class BadRecoveryKey(UserInputError):
    pass


# --- exit 3: damaged, tampered, newer or foreign data -------------------------------
class DamagedData(ImrError):
    exit_code = 3


class NotAVault(DamagedData):
    pass


class VaultDamaged(DamagedData):
    pass


class CaseDamaged(DamagedData):
    """params may include ``where`` (a structural location such as "record 3"), never data."""


class AttachmentDamaged(DamagedData):
    pass


class CaseRolledBack(DamagedData):
    """A case file is older than the last save seen on this computer: it was replaced by an
    older copy (a restored backup, or a deliberate rollback). It still opens; the vault
    keeps reporting it until ``Vault.acknowledge_rollback(case_id)``.
    params: where (the file), found (its generation), last_seen (the highest seen)."""


class BundleDamaged(DamagedData):
    pass


class NewerFormat(DamagedData):
    """params: found (version), supported (version)."""


class HostileParameters(DamagedData):
    """KDF or header parameters outside the accepted bounds (refused before deriving)."""


# --- exit 4: wrong passphrase --------------------------------------------------------
class WrongPassphrase(ImrError):
    exit_code = 4


class WrongBundlePassphrase(WrongPassphrase):
    pass


class WrongRecoveryKey(WrongPassphrase):
    """A well-formed recovery key (its check group is right) that does not open this vault."""
