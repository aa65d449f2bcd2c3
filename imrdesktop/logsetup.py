"""Logging: one rotating file in the app's data folder (0600 in a 0700 folder).

Log lines name case ids, counts and error *types* — never a client's name or data. The
filter below also drops exception messages from records (they may carry data), keeping
only the exception type and the traceback frames.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from pathlib import Path

from imrdesktop.storage.paths import ensure_private_dir

LOG_NAME = "imrdesktop.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def scrubbed_traceback(exc: BaseException) -> str:
    """The traceback without the exception's message or any local values."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = ["Traceback (most recent call last):"]
    for f in frames:
        lines.append(f'  File "{_short(f.filename)}", line {f.lineno}, in {f.name}')
    lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        lines.append("caused by: " + f"{type(cause).__module__}.{type(cause).__qualname__}")
    return "\n".join(lines)


def _short(filename: str) -> str:
    parts = Path(filename).parts
    for anchor in ("imrdesktop", "site-packages"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i:])
    return Path(filename).name


class _ScrubExceptions(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}\n{scrubbed_traceback(record.exc_info[1])}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_CONTENT_LOGGERS = ("PIL", "pikepdf", "img2pdf", "pypdfium2", "reportlab", "pypdf", "fontTools")


def configure_logging(log_dir: Path | None, level: str | int | None = None) -> Path | None:
    """Set up the root logger once; returns the log file path (or None: stderr only)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    level = level or os.environ.get("IMRDESKTOP_LOG_LEVEL", "INFO")
    root.setLevel(level if isinstance(level, int) else str(level).upper())
    path = None
    if log_dir is not None:
        ensure_private_dir(log_dir)
        path = log_dir / LOG_NAME
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass
    else:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(_ScrubExceptions())
    root.addHandler(handler)
    # Parsing libraries log what they read at DEBUG (Pillow logs EXIF text, pikepdf and
    # reportlab object details): client content. Never below INFO, whatever the level.
    for name in _CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    return path
