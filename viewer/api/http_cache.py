"""HTTP caching: ETags, generated files served with 304s, and a memory cache of GeoJSON pages.

When fifty people open the citizen map at once, every browser asks for the same few
layers. Serialising thousands of buildings to GeoJSON each time would take the server
down, so a public layer's page is serialised once per data version (and gzipped once,
for the browsers that take it) and then served as bytes; a browser that sends back the
ETag gets a 304 without a body. The key holds the layer's checksum and import time, so a
new import is never answered from the cache.
Only ``public`` layers are cached: reads of other layers are per caller (and personal
ones are audited one by one).

Renders, briefs and maps are files made on the first request and kept under a name that
changes with what they show (:func:`serve_generated`); the name is the ETag, so it is
checked before anything is made.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from fastapi import Request
from fastapi.responses import FileResponse, Response

from viewer.negotiation import weighted

DEFAULT_BUDGET = 256 * 2**20
"""Bytes of serialised pages kept per server (the sample's whole map is about 10 MB)."""


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak or strong) or is ``*``."""
    tags = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    return "*" in tags or etag in tags


def etag_for(*key: object) -> str:
    """A strong ETag for a response identified by ``key`` (its data version included)."""
    return '"' + hashlib.sha256(repr(key).encode()).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class GeneratedFile:
    """A file made on request, kept under a name that changes whenever its content would.

    ``etag`` (unquoted) comes from that name, so it is known before the file exists;
    ``public`` lets shared caches keep it (only for what every caller sees alike);
    ``filename`` is offered to the browser, as a download if ``attachment``.
    """

    path: Path
    etag: str
    media_type: str
    filename: str
    public: bool
    vary: str
    attachment: bool = False


def serve_generated(request: Request, file: GeneratedFile, make: Callable[[], object]) -> Response:
    """``file``, made by ``make`` if missing; 304 without making it if the client has it.

    Making one is CPU work, hence the ETag check first. ``no-cache`` makes browsers ask
    each time, because the newest scenario version can change under the same URL.
    """
    headers = {
        "ETag": f'"{file.etag}"',
        "Cache-Control": f"{'public' if file.public else 'private'}, no-cache",
        "Vary": file.vary,
    }
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    make()
    return FileResponse(
        file.path,
        media_type=file.media_type,
        headers=headers,
        filename=file.filename,
        content_disposition_type="attachment" if file.attachment else "inline",
    )


GZIP_MIN_BYTES = 1024
"""Smaller bodies are sent as they are: compressing them saves less than a packet."""


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows ``gzip`` (``q=0`` refuses it)."""
    quality = dict(weighted(accept_encoding or ""))
    for coding in ("gzip", "x-gzip", "*"):
        if coding in quality:
            return quality[coding] > 0
    return False


class CachedPage(NamedTuple):
    """A serialised answer, the headers that go with it, and its body gzipped (if worth it).

    ``headers`` hold the strong ETag of ``body``; the gzipped body is another
    representation of the same content, so it goes out with that ETag made weak
    (``W/"…"``, as nginx does), and both match either in ``If-None-Match``.
    """

    body: bytes
    headers: dict[str, str]
    gzipped: bytes | None = None

    @classmethod
    def compressed(cls, body: bytes, headers: dict[str, str]) -> CachedPage:
        """A page with its gzipped body made now, once for every client that takes it."""
        if len(body) < GZIP_MIN_BYTES:
            return cls(body, headers)
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        return cls(body, headers, packed if len(packed) < len(body) else None)

    @property
    def size(self) -> int:
        """Bytes this page takes in the cache."""
        return len(self.body) + len(self.gzipped or b"")

    def response(self, request: Request, media_type: str) -> Response:
        """The page for ``request``: 304 if it has it, gzipped if it takes that."""
        gzipped = self.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding"))
        headers = dict(self.headers)
        if gzipped:
            headers["ETag"] = "W/" + headers["ETag"]
        if etag_matches(request.headers.get("if-none-match"), self.headers["ETag"]):
            return Response(status_code=304, headers=not_modified_headers(headers))
        if gzipped:
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzipped, media_type=media_type, headers=headers)
        return Response(self.body, media_type=media_type, headers=headers)


def not_modified(request: Request, etag: str, headers: dict[str, str]) -> Response | None:
    """A 304 if ``request`` names ``etag`` in ``If-None-Match``, else ``None``.

    For a page that is not at hand, so which representation the client holds is not
    known: the 304 names the tag the way the client sent it (weak for a gzipped copy).
    """
    sent = request.headers.get("if-none-match")
    if not etag_matches(sent, etag):
        return None
    weak = "W/" + etag in {tag.strip() for tag in (sent or "").split(",")}
    return Response(
        status_code=304,
        headers=not_modified_headers(headers) | {"ETag": f"W/{etag}" if weak else etag},
    )


NOT_MODIFIED_HEADERS = frozenset({"etag", "cache-control", "vary", "content-location", "expires"})
"""What a 304 repeats of the 200 it stands for (RFC 9110, 15.4.5)."""


def not_modified_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers of ``headers`` that a 304 must (and may) carry."""
    return {name: value for name, value in headers.items() if name.lower() in NOT_MODIFIED_HEADERS}


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
        if page.size > self.budget:
            return
        with self._lock:
            old = self._pages.pop(etag, None)
            self._size += page.size - (old.size if old else 0)
            self._pages[etag] = page
            while self._size > self.budget:
                _, dropped = self._pages.popitem(last=False)
                self._size -= dropped.size
