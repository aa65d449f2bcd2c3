"""Process hardening done once at start-up (KeePassXC's Bootstrap pattern)."""

from __future__ import annotations

import ctypes
import ctypes.util
import faulthandler
import logging
import os
import sys

log = logging.getLogger(__name__)

PR_SET_DUMPABLE = 4


def harden_process() -> None:
    # Files we create are readable by this user only.
    os.umask(0o077)
    # No core dumps: a dump of an unlocked session would hold client data.
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except OSError:
            log.debug("prctl unavailable")
    # Tracebacks only (no memory) for native crashes, to stderr.
    if sys.stderr is not None and not faulthandler.is_enabled():
        try:
            faulthandler.enable()
        except (RuntimeError, ValueError, OSError):
            pass
