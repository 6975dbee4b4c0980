"""A workspace: one folder per municipality, each with its config and its store.

Layout::

    workspace/
      musterstadt/
        municipality.toml   # the config with absolute data paths (written by ``twin init``)
        twin.gpkg           # the embedded store (GeoPackage)
        rasters/            # raster layers as Cloud-Optimised GeoTIFFs
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import tomli_w

from twin.catalogue import CatalogueEntry
from twin.config import MunicipalityConfig, load_config
from twin.errors import UnknownMunicipalityError
from twin.store.base import MunicipalityRecord, TwinStore

CONFIG_NAME = "municipality.toml"
STORE_NAME = "twin.gpkg"


class StoreSnapshot(NamedTuple):
    """What a store says about itself: its municipality record and its catalogue."""

    record: MunicipalityRecord
    layers: Mapping[str, CatalogueEntry]
    """Every catalogue entry by name, in name order (as :meth:`TwinStore.layers`)."""


class _StoreWatch:
    """One open connection to a store that notices every commit, and the last snapshot.

    ``PRAGMA data_version`` on a connection that never writes changes exactly when another
    connection, of this process or any other, has committed to the database since the
    last time it was asked; asking costs microseconds, opening a store a millisecond.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        status = path.stat()
        self.identity = (status.st_dev, status.st_ino)
        self.lock = threading.Lock()
        self.version: int | None = None
        self.snapshot: StoreSnapshot | None = None
        # mode=rw: a store deleted meanwhile is an error, not a new empty file
        self.conn: sqlite3.Connection | None = sqlite3.connect(
            path.resolve().as_uri() + "?mode=rw",
            uri=True,
            timeout=30,
            isolation_level=None,
            check_same_thread=False,
        )

    def current(self) -> StoreSnapshot:
        """The snapshot, read again if anything was committed since it was taken."""
        with self.lock:
            if self.conn is None:  # closed while this caller was on its way: read directly
                return _read(self.path)
            try:
                # the version before the data: a commit in between shows as a change next time
                ((version,),) = self.conn.execute("PRAGMA data_version").fetchall()
            except sqlite3.Error:  # e.g. not a database: the store says so in its own words
                self.snapshot = None
                return _read(self.path)
            if self.snapshot is None or version != self.version:
                self.snapshot, self.version = _read(self.path), version
                self._checkpoint(self.conn)
            return self.snapshot

    def close(self) -> None:
        with self.lock:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

    @staticmethod
    def _checkpoint(conn: sqlite3.Connection) -> None:
        """Copy committed pages into the store file, as the last connection closing would.

        While this connection is open the write-ahead log is not folded back when a
        writer closes, so the ``.gpkg`` alone (what a copy of it takes along) could lag;
        a passive checkpoint after each change waits for nobody and may do nothing.
        """
        with contextlib.suppress(sqlite3.Error):  # e.g. read-only: readers still see all
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _read(path: Path) -> StoreSnapshot:
    from twin.store.embedded import EmbeddedStore

    store = EmbeddedStore(path)
    record = store.municipality()
    layers = {entry.name: entry for entry in store.layers()}
    return StoreSnapshot(record, MappingProxyType(layers))  # shared: read-only


def _close_all(watches: dict[str, _StoreWatch]) -> None:
    for watch in list(watches.values()):
        watch.close()
    watches.clear()


class Workspace:
    """The municipalities set up under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._configs: dict[tuple[str, bool], tuple[tuple[int, int], MunicipalityConfig]] = {}
        self._names: frozenset[str] = frozenset()
        self._watches: dict[str, _StoreWatch] = {}
        self._watches_lock = threading.Lock()
        self._close = weakref.finalize(self, _close_all, self._watches)

    def slugs(self) -> list[str]:
        """Slugs of all initialised municipalities, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / CONFIG_NAME).is_file())

    def has(self, slug: str) -> bool:
        """Whether ``slug`` is one of :meth:`slugs`, without looking at every other folder.

        A server asks on every request, so the names in the workspace folder are listed
        again only for a slug not seen there before.
        """
        if not os.path.isfile(os.path.join(self.root, slug, CONFIG_NAME)):
            return False
        # only a name in the folder itself counts (not "..", "a/b" or another letter case)
        if slug not in self._names:
            self._names = frozenset(os.listdir(self.root))
        return slug in self._names

    def folder(self, slug: str) -> Path:
        """Folder of one municipality; raise if it was never initialised."""
        self._require(slug)
        return self.root / slug

    def _require(self, slug: str) -> None:
        if not os.path.isfile(os.path.join(self.root, slug, CONFIG_NAME)):
            known = ", ".join(self.slugs()) or "none yet"
            raise UnknownMunicipalityError(
                f"no municipality {slug!r} in workspace {str(self.root)!r}",
                hint=f"Known: {known}. Set one up with `twin init CONFIG.toml`.",
            )

    def config(self, slug: str, *, check_files: bool = True) -> MunicipalityConfig:
        """Return the stored config of a municipality (see :func:`~twin.config.load_config`).

        Configs are frozen, so one parsed copy is kept until the file changes: a server
        reads the config on every request.
        """
        path = os.path.join(self.root, slug, CONFIG_NAME)
        try:
            status = os.stat(path)
        except OSError:
            status = None
        if status is None or not stat.S_ISREG(status.st_mode):
            self._require(slug)  # raises, unless the file has just appeared
            status = os.stat(path)
        stamp = (status.st_mtime_ns, status.st_size)
        cached = self._configs.get((path, check_files))
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_config(Path(path), check_files=check_files))
            self._configs[(path, check_files)] = cached
        return cached[1]

    def store(self, slug: str) -> TwinStore:
        """Open the store of a municipality."""
        from twin.store.embedded import EmbeddedStore

        return EmbeddedStore(self.folder(slug) / STORE_NAME)

    def snapshot(self, slug: str) -> StoreSnapshot:
        """The municipality record and catalogue of a store, as they are now.

        For a server, which needs both on every request: they are read from the store
        again only after something was committed to it (an import, an upload, any write,
        also by another process), which one open connection per store notices. A store
        file replaced by another one is opened anew.
        """
        self._require(slug)
        path = os.path.join(self.root, slug, STORE_NAME)
        try:
            status = os.stat(path)
        except FileNotFoundError:
            status = None
        with self._watches_lock:
            watch = self._watches.get(path)
            if watch is not None and (
                status is None or watch.identity != (status.st_dev, status.st_ino)
            ):
                watch.close()
                del self._watches[path]
                watch = None
            if watch is None and status is not None:
                try:
                    watch = self._watches[path] = _StoreWatch(Path(path))
                except (OSError, sqlite3.Error):
                    watch = None  # gone meanwhile: the store reports that itself
        return _read(Path(path)) if watch is None else watch.current()

    def close(self) -> None:
        """Close the connections :meth:`snapshot` keeps open (it opens them again if asked)."""
        with self._watches_lock:
            _close_all(self._watches)

    def save_config(self, config: MunicipalityConfig) -> Path:
        """Write ``config`` (with absolute paths) into the municipality's folder."""
        folder = self.root / config.slug
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / CONFIG_NAME
        tmp = target.with_suffix(".toml.tmp")
        tmp.write_text(tomli_w.dumps(config.to_toml_dict()), encoding="utf-8")
        tmp.replace(target)
        return target
