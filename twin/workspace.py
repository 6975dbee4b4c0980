"""A workspace: one folder per municipality, each with its config and its store.

Layout::

    workspace/
      musterstadt/
        municipality.toml   # the config with absolute data paths (written by ``twin init``)
        twin.gpkg           # the embedded store (GeoPackage)
        rasters/            # raster layers as Cloud-Optimised GeoTIFFs
"""

from __future__ import annotations

from pathlib import Path

import tomli_w

from twin.config import MunicipalityConfig, load_config
from twin.errors import UnknownMunicipalityError
from twin.store.base import TwinStore

CONFIG_NAME = "municipality.toml"
STORE_NAME = "twin.gpkg"


class Workspace:
    """The municipalities set up under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._configs: dict[tuple[Path, bool], tuple[tuple[int, int], MunicipalityConfig]] = {}

    def slugs(self) -> list[str]:
        """Slugs of all initialised municipalities, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / CONFIG_NAME).is_file())

    def folder(self, slug: str) -> Path:
        """Folder of one municipality; raise if it was never initialised."""
        folder = self.root / slug
        if not (folder / CONFIG_NAME).is_file():
            known = ", ".join(self.slugs()) or "none yet"
            raise UnknownMunicipalityError(
                f"no municipality {slug!r} in workspace {str(self.root)!r}",
                hint=f"Known: {known}. Set one up with `twin init CONFIG.toml`.",
            )
        return folder

    def config(self, slug: str, *, check_files: bool = True) -> MunicipalityConfig:
        """Return the stored config of a municipality (see :func:`~twin.config.load_config`).

        Configs are frozen, so one parsed copy is kept until the file changes: a server
        reads the config on every request.
        """
        path = self.folder(slug) / CONFIG_NAME
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
        cached = self._configs.get((path, check_files))
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_config(path, check_files=check_files))
            self._configs[(path, check_files)] = cached
        return cached[1]

    def store(self, slug: str) -> TwinStore:
        """Open the store of a municipality."""
        from twin.store.embedded import EmbeddedStore

        return EmbeddedStore(self.folder(slug) / STORE_NAME)

    def save_config(self, config: MunicipalityConfig) -> Path:
        """Write ``config`` (with absolute paths) into the municipality's folder."""
        folder = self.root / config.slug
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / CONFIG_NAME
        tmp = target.with_suffix(".toml.tmp")
        tmp.write_text(tomli_w.dumps(config.to_toml_dict()), encoding="utf-8")
        tmp.replace(target)
        return target
