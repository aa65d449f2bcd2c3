"""The one table that turns typed core errors into plain sentences.

Each sentence says what happened and what to do. The GUI and the CLI both use
``describe(error)``; lookups walk the class hierarchy, so a subclass without its own row
gets its parent's sentence. Parameters come from the error (field names, file names,
versions) and never carry client data.
"""

from __future__ import annotations

from collections.abc import Callable

from imrdesktop.domain import errors as e
from imrdesktop.i18n import _

_Message = Callable[[dict], str]


def _field(params: dict) -> str:
    field = params.get("field", "?")
    problem = params.get("problem")
    if problem:
        return _("The field “{field}” is not right: {problem}. Correct it and try again.").format(
            field=field, problem=problem
        )
    return _("The field “{field}” is not right. Correct it and try again.").format(field=field)


def _weak(params: dict) -> str:
    reason = params.get("reason")
    if reason == "too_short":
        return _(
            "That passphrase is too short. Use at least 15 characters — a few ordinary "
            "words in a row is easy to remember and hard to guess."
        )
    if reason == "too_long":
        return _("That passphrase is too long. Use at most 1,024 characters.")
    if reason == "invalid":
        return _(
            "That passphrase contains characters that cannot be used. Type it again using "
            "ordinary letters, numbers, spaces or punctuation."
        )
    if reason == "mismatch":
        return _("The two passphrases are not the same. Type the same passphrase twice.")
    return _(
        "That passphrase is too common and easy to guess. Choose a different one, for "
        "example a few unrelated words."
    )


def _newer(params: dict) -> str:
    return _(
        "This file was made by a newer version of IMR Desktop. Install the latest version "
        "to open it; nothing was changed."
    )


def _mb(n: object) -> str:
    if not isinstance(n, int | float):
        return _("the limit")
    return f"{n / 1_000_000:,.0f} MB"


def _has(params: dict, *keys: str) -> bool:
    return all(isinstance(params.get(k), int | float) and params.get(k) >= 0 for k in keys)


def _count(n: object) -> str:
    return f"{int(n):,}" if isinstance(n, int | float) else ""


def _inches(n: object) -> str:
    return f"{float(n):,.1f}".removesuffix(".0") if isinstance(n, int | float) else ""


def _megapixels(n: object) -> str:
    """A limit given in pixels (the worker's unit) or already in megapixels."""
    if not isinstance(n, int | float):
        return ""
    return f"{(n / 1_000_000 if n > 100_000 else n):,.0f}"


def document_reason(reason: str, params: dict) -> str:
    """Why a file was refused, in a sentence that ends with what to do (docs/documents.md)."""
    p = params
    texts: dict[str, Callable[[], str]] = {
        "empty": lambda: _("The file is empty (0 bytes). Ask for the file again."),
        "too_large": lambda: _(
            "The file is {size}; files over {limit} are not taken. Split it, or attach only "
            "the pages that matter."
        ).format(size=_mb(p.get("size")), limit=_mb(p.get("limit"))),
        "not_regular": lambda: _(
            "This is a folder or a device, not a file. Choose the document file itself."
        ),
        "not_supported": lambda: _(
            "This is not a PDF, a picture (JPEG, PNG, TIFF, HEIC) or a text file, so it was "
            "not attached. Save or scan it as a PDF and attach that."
        ),
        "password_required": lambda: _(
            "This PDF is protected by a password. Ask the client or the sender for it, then "
            "attach the file again and type it."
        ),
        "password_required_cli": lambda: _(
            "This PDF is protected by a password. Set IMRDESKTOP_PDF_PASSWORD to it, or run "
            "the command in a terminal to be asked for it."
        ),
        "password_wrong": lambda: _(
            "That is not the password of this PDF. Check it with the client and try again."
        ),
        "pdf_damaged": lambda: _(
            "This PDF is damaged beyond repair, so it was not attached. Ask for a new copy, "
            "or print it and scan the paper."
        ),
        "too_many_pages": lambda: (
            _(
                "This file has {pages} pages; at most {limit} can be attached at once. Split "
                "it into parts and attach each."
            ).format(pages=_count(p.get("pages")), limit=_count(p.get("limit")))
            if _has(p, "pages", "limit")
            else _(
                "This file has more pages than can be attached at once. Split it into parts "
                "and attach each."
            )
        ),
        "page_size": lambda: (
            _(
                "Page {page} of this PDF is {width} × {height} inches, which no printer can "
                "print. Ask for a normal copy, or print it and scan the paper."
            ).format(
                page=_count(p.get("page")),
                width=_inches(p.get("width_in")),
                height=_inches(p.get("height_in")),
            )
            if _has(p, "page", "width_in", "height_in")
            else _(
                "A page of this PDF has a size no printer can print. Ask for a normal copy, or "
                "print it and scan the paper."
            )
        ),
        "image_too_large": lambda: (
            _(
                "This picture is {megapixels} megapixels; pictures over {limit} megapixels "
                "are not taken. Take the photo again at a normal size, or scan the paper."
            ).format(megapixels=_count(p.get("megapixels")), limit=_megapixels(p.get("limit")))
            if _has(p, "megapixels", "limit")
            else _(
                "This picture is larger than {limit} megapixels, so it was not taken. Take the "
                "photo again at a normal size, or scan the paper."
            ).format(limit=_megapixels(p.get("limit", 100_000_000)))
        ),
        "image_damaged": lambda: _(
            "This picture is damaged or cut short, so it was not attached. Copy it from the "
            "phone or scanner again."
        ),
        "too_many_frames": lambda: (
            _(
                "This TIFF file holds {frames} pages; at most {limit} are taken. Split it into "
                "parts and attach each."
            ).format(frames=_count(p.get("frames")), limit=_count(p.get("limit")))
            if _has(p, "frames", "limit")
            else _(
                "This TIFF file holds more pages than can be taken at once. Split it into "
                "parts and attach each."
            )
        ),
        "text_binary": lambda: _(
            "This file is not plain text (it holds binary data), so it was not attached. "
            "Save it as a PDF and attach that."
        ),
        "text_too_large": lambda: _(
            "This text file is over {limit}, more than a packet can use. Attach only the "
            "part that matters."
        ).format(limit=_mb(p.get("limit"))),
        "timeout": lambda: _(
            "Reading this file took too long and was stopped, so it was not attached. It "
            "may be damaged; ask for a new copy or scan the paper."
        ),
        "memory": lambda: _(
            "Reading this file needed more memory than is allowed, so it was stopped and "
            "not attached. Ask for a simpler copy, or scan the paper."
        ),
        "worker_failed": lambda: _(
            "The document reader stopped on this file, so it was not attached. The file may "
            "be damaged or hostile; ask for a new copy or scan the paper."
        ),
    }
    text = texts.get(reason)
    if text is None:
        return _("This file cannot be attached. Ask for a new copy, or scan the paper.")
    return text()


def _document(params: dict) -> str:
    sentence = document_reason(str(params.get("reason", "")), params)
    name = params.get("name")
    return f"{name}: {sentence}" if name else sentence


TABLE: list[tuple[type[e.ImrError], _Message]] = [
    # exit 4
    (
        e.WrongBundlePassphrase,
        lambda p: _("That is not the passphrase of this case bundle. Try again."),
    ),
    (
        e.WrongRecoveryKey,
        lambda p: _(
            "That recovery key belongs to a different vault. Check that you chose the right "
            "profile and are using its recovery sheet."
        ),
    ),
    (
        e.WrongPassphrase,
        lambda p: _(
            "That passphrase is not right. Check Caps Lock and the keyboard language, then "
            "try again."
        ),
    ),
    # exit 3
    (e.NewerFormat, _newer),
    (
        e.HostileParameters,
        lambda p: _(
            "This file asks for impossible settings and was refused before opening. It is "
            "damaged or not from IMR Desktop; use a backup copy."
        ),
    ),
    (
        e.NotAVault,
        lambda p: _(
            "This folder or file is not an IMR Desktop vault. Choose the folder that holds "
            "your vault."
        ),
    ),
    (
        e.VaultDamaged,
        lambda p: _(
            "The vault's key file is damaged, so it cannot be opened. Nothing was changed; "
            "restore the vault folder from a backup, or ask your supervisor for help."
        ),
    ),
    (
        e.CaseDamaged,
        lambda p: _(
            "This case file is damaged or has been altered, so it was not used. Other cases "
            "are not affected; restore this case from a backup or an exported bundle."
        ),
    ),
    (
        e.CaseRolledBack,
        lambda p: _(
            "This case file is older than the last version saved on this computer — it may "
            "have been replaced by a backup copy. Check the case; if changes are missing, "
            "restore the newest copy."
        ),
    ),
    (
        e.AttachmentDamaged,
        lambda p: _(
            "A stored document in this case is damaged or has been altered, so it was not "
            "used. Restore the case from a backup, or attach the document again."
        ),
    ),
    (
        e.BundleDamaged,
        lambda p: _(
            "This case bundle is damaged, incomplete or not from IMR Desktop. Nothing was "
            "imported; ask for a fresh copy."
        ),
    ),
    (
        e.DamagedData,
        lambda p: _("The data is damaged and was not used. Restore it from a backup."),
    ),
    # exit 2
    (e.InvalidField, _field),
    (e.DocumentRefused, _document),
    (e.WeakPassphrase, _weak),
    (
        e.BadJsonFile,
        lambda p: _("The file {name} is not valid JSON. Fix it and try again.").format(
            name=p.get("name", "")
        ),
    ),
    (
        e.InputFileMissing,
        lambda p: _("The file {name} does not exist or is not a regular file.").format(
            name=p.get("name", "")
        ),
    ),
    (
        e.UnknownCase,
        lambda p: _(
            "There is no case {case} in this vault. Check the case number (see the case list)."
        ).format(case=p.get("case", "")),
    ),
    (
        e.PassphraseRequired,
        lambda p: _(
            "A passphrase is needed. Set {var} or run the command in a terminal to be asked for it."
        ).format(var=p.get("var", "IMRDESKTOP_PASSPHRASE")),
    ),
    (
        e.VaultExists,
        lambda p: _("A vault already exists there. Open it, or choose an empty folder."),
    ),
    (
        e.NoVault,
        lambda p: _(
            "There is no vault there yet. Create one first (imrdesktop vault init), or "
            "give the right folder with --vault."
        ),
    ),
    (
        e.SharedPcRefusesKeyring,
        lambda p: _(
            "This PC is marked as shared, so IMR Desktop will not remember your passphrase "
            "here. Type it each time."
        ),
    ),
    (
        e.BadRecoveryKey,
        lambda p: _(
            "That recovery key is not right. Check each group of characters against the "
            "printed sheet and try again."
        ),
    ),
    (
        e.UnknownAttachment,
        lambda p: _("That document is not in this case any more. Refresh the list and try again."),
    ),
    (e.UsageError, lambda p: p.get("text") or _("The command was not used correctly.")),
    (e.UserInputError, lambda p: _("The input is not right. Check it and try again.")),
    # exit 1
    (
        e.DiskFull,
        lambda p: _(
            "The disk is full, so the change was not saved. Your previous saved work is "
            "intact; free some space and try again."
        ),
    ),
    (
        e.StoragePermissionDenied,
        lambda p: (
            _(
                "The drive holding the vault is read-only, so nothing can be opened or saved "
                "there. Copy the vault to a normal drive, or ask whoever manages this PC."
            )
            if p.get("reason") == "read_only_filesystem"
            else _(
                "IMR Desktop is not allowed to write in its data folder. Nothing was changed; "
                "ask whoever manages this PC to give you write access."
            )
        ),
    ),
    (
        e.WriteFailed,
        lambda p: _(
            "The computer could not write the change to disk. Your previous saved work is "
            "intact; try again, and if it keeps failing, check the disk."
        ),
    ),
    (
        e.CaseInUse,
        lambda p: _(
            "This case is open in another IMR Desktop window or command. Close it there and "
            "try again."
        ),
    ),
    (
        e.AlreadyRunning,
        lambda p: _("IMR Desktop is already open on this computer. Switch to that window."),
    ),
    (
        e.KeyringUnavailable,
        lambda p: _(
            "This computer has no password store IMR Desktop can use, so it cannot remember "
            "your passphrase. You can still unlock with your passphrase."
        ),
    ),
    (
        e.InputFileUnreadable,
        lambda p: _(
            "The file {name} cannot be read (no permission, or the disk failed). Copy it "
            "somewhere you can open it and try again."
        ).format(name=p.get("name", "")),
    ),
    (
        e.CaseClosed,
        lambda p: _("This case was closed before the change could be made. Open it and try again."),
    ),
    (e.VaultLocked, lambda p: _("The vault is locked. Unlock it and try again.")),
    (
        e.EnvironmentFailure,
        lambda p: _("The computer refused the operation. Try again, or restart IMR Desktop."),
    ),
]


def field_problem(error: e.InvalidField) -> str:
    """The short sentence shown beside a field (the field itself is obvious there)."""
    problem = error.params.get("problem")
    if not problem:
        return _("This is not right. Correct it and try again.")
    return problem[:1].upper() + problem[1:] + "."


def describe(error: BaseException) -> str:
    """One plain sentence for ``error`` in the current language."""
    if isinstance(error, e.ImrError):
        for cls, message in TABLE:
            if isinstance(error, cls):
                return message(error.params)
    if isinstance(error, MemoryError):
        return _("The computer ran out of memory. Close other programs and try again.")
    if isinstance(error, OSError):
        import errno

        if error.errno == errno.ENOSPC:
            return describe(e.DiskFull())
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return describe(e.StoragePermissionDenied())
    return _(
        "Something went wrong that IMR Desktop did not expect. Your saved work is safe; "
        "please try again."
    )


def exit_code(error: BaseException) -> int:
    if isinstance(error, e.ImrError):
        return error.exit_code
    return 1


def header_repaired_notice() -> str:
    return _(
        "The vault's key file was damaged and has been repaired from its spare copy. Your "
        "cases are intact; it would be wise to check the disk and export bundles as backups."
    )
