from __future__ import annotations

import logging

from imrdesktop.logsetup import configure_logging, scrubbed_traceback

CANARY = "CANARY-Nguyen-Van-Anh-1958"


def test_exception_messages_never_reach_the_log(tmp_path):
    path = configure_logging(tmp_path / "logs", "DEBUG")
    log = logging.getLogger("imrdesktop.test")
    try:
        raise ValueError(f"bad date of birth for {CANARY}")
    except ValueError as exc:
        log.error("saving failed", exc_info=exc)
    log.info("case %s saved", "C-TEST1234")
    for h in logging.getLogger().handlers:
        h.flush()
    text = path.read_text()
    assert "saving failed" in text and "builtins.ValueError" in text
    assert "test_logging.py" in text and "C-TEST1234" in text
    assert CANARY not in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    configure_logging(None)


def test_scrubbed_traceback_has_frames_but_no_message():
    try:
        {}["x"]
    except KeyError as exc:
        text = scrubbed_traceback(exc)
    assert "KeyError" in text and "'x'" not in text
