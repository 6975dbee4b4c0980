"""One lock per path, for work that must happen one thread at a time per file or folder.

The server answers requests in a pool of threads: two requests for the same render or
brief must not both draw it, and two uploads to one municipality must not both rewrite
its config. Locks are per process; the store's transactions order writers across
processes.
"""

from __future__ import annotations

import threading
from pathlib import Path

_LOCKS: dict[Path, threading.Lock] = {}
_GUARD = threading.Lock()


def lock_for(path: Path) -> threading.Lock:
    """The lock of ``path`` (the same object for every caller asking for the same path)."""
    with _GUARD:
        return _LOCKS.setdefault(path.resolve(), threading.Lock())
