"""Every typed error has a plain sentence; the table walks the class hierarchy."""

from __future__ import annotations

import errno
import inspect

from imrdesktop.domain import errors as e
from imrdesktop.services.messages import describe, exit_code

GENERIC = describe(RuntimeError())


def all_error_classes():
    return [
        cls
        for _n, cls in inspect.getmembers(e, inspect.isclass)
        if issubclass(cls, e.ImrError) and cls is not e.ImrError
    ]


def test_every_error_has_its_own_sentence():
    for cls in all_error_classes():
        text = describe(cls())
        assert text and text != GENERIC, cls
        assert text.endswith((".", "?")), (cls, text)
        assert "Traceback" not in text


def test_exit_codes_follow_the_cli_contract():
    assert exit_code(e.WrongPassphrase()) == 4
    assert exit_code(e.CaseDamaged()) == 3
    assert exit_code(e.NewerFormat()) == 3
    assert exit_code(e.InvalidField(field="x")) == 2
    assert exit_code(e.DiskFull()) == 1
    assert exit_code(ValueError()) == 1


def test_parameters_are_used_and_os_errors_are_explained():
    assert "grievance.filed_date" in describe(e.InvalidField(field="grievance.filed_date"))
    assert describe(OSError(errno.ENOSPC, "x")) == describe(e.DiskFull())
    assert describe(PermissionError(errno.EACCES, "x")) == describe(e.StoragePermissionDenied())
