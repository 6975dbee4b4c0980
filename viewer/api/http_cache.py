"""HTTP caching: ETags, and a memory cache of the public GeoJSON pages the maps fetch.

When fifty people open the citizen map at once, every browser asks for the same few
layers. Serialising thousands of buildings to GeoJSON each time would take the server
down, so a public layer's page is serialised once per data version and then served as
bytes; a browser that sends back the ETag gets a 304 without a body. The key holds the
layer's checksum and import time, so a new import is never answered from the cache.
Only ``public`` layers are cached: reads of other layers are per caller (and personal
ones are audited one by one).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

DEFAULT_BUDGET = 256 * 2**20
"""Bytes of serialised pages kept per server (the sample's whole map is about 10 MB)."""


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak or strong) or is ``*``."""
    tags = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    return "*" in tags or etag in tags


def etag_for(*key: object) -> str:
    """A strong ETag for a response identified by ``key`` (its data version included)."""
    return '"' + hashlib.sha256(repr(key).encode()).hexdigest()[:32] + '"'


class CachedPage(NamedTuple):
    """A serialised answer and the headers that go with it."""

    body: bytes
    headers: dict[str, str]


class PageCache:
    """Least-recently-used pages up to a byte budget; safe for the server's threads."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> CachedPage | None:
        """The page with this ETag, if kept."""
        with self._lock:
            page = self._pages.get(etag)
            if page is not None:
                self._pages.move_to_end(etag)
            return page

    def put(self, etag: str, page: CachedPage) -> None:
        """Keep ``page``, dropping the least recently used ones beyond the budget."""
        if len(page.body) > self.budget:
            return
        with self._lock:
            old = self._pages.pop(etag, None)
            self._size += len(page.body) - (len(old.body) if old else 0)
            self._pages[etag] = page
            while self._size > self.budget:
                _, dropped = self._pages.popitem(last=False)
                self._size -= len(dropped.body)
