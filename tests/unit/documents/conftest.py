"""Fixtures for the documents layer: one worker process per test module (start-up is cheap,
but reusing it keeps the suite fast), with the worker's test-only operations enabled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imrdesktop.documents.client import DocumentWorker
from imrdesktop.documents.limits import Limits
from imrdesktop.documents.worker import TEST_OPS_ENV


@pytest.fixture(autouse=True, scope="module")
def worker_test_ops() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TEST_OPS_ENV, "1")
        yield


@pytest.fixture(scope="module")
def worker(worker_test_ops) -> Iterator[DocumentWorker]:
    w = DocumentWorker(Limits(timeout_s=30))
    yield w
    w.close()
