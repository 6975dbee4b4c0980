"""A new version of a layer from an uploaded file: validated, imported atomically, kept on success.

The administration view (``POST /{slug}/api/layers/{name}/upload``) hands the uploaded
file here. It goes through the same pipeline as ``twin import`` (:func:`import_layer`:
read → reproject → validate → normalise) and replaces the configured layer in one
store transaction; a file that fails leaves the store, the config and the sources as
they were.

Files in the municipality's workspace folder::

    uploads/tmp-…/                              the upload while it arrives (always removed)
    sources/<layer>/<UTC time>-<sha256[:12]>/   an accepted upload, under its own name

The upload is first written to a temporary folder inside the workspace (a half-arrived
file never looks like a source), then moved into a new version folder under
``sources/<layer>/`` and imported from there, so that the catalogue's ``source_file``,
the config and the report's messages name the file that stays, by the name it was
uploaded with. If the import fails or is refused, the version folder is removed again.
On success the municipality's config points the layer at the new file, so that ``twin
import`` imports the same version again; earlier uploads stay in ``sources/<layer>/``
for provenance (the catalogue's checksum says which one is current).

Features the validation would reject (unrepairable geometry, wrong type, missing
required attribute, outside the boundary) refuse the whole upload unless the caller
accepts them (``accept_rejections``): a new version should not lose features silently.
Repairs (``make_valid``) are accepted; both are listed by feature in the report.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Final, cast

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from twin.catalogue import CatalogueEntry, ImportReport
from twin.config import LayerConfig, LayerKind, MunicipalityConfig
from twin.errors import DataFileError, InvalidRequestError, LayerValidationError, TwinError
from twin.importer import file_checksum, import_layer
from twin.locks import lock_for
from twin.store.base import MunicipalityRecord, TwinStore
from twin.workspace import Workspace

logger = logging.getLogger(__name__)

UPLOADS: Final = "uploads"
SOURCES: Final = "sources"
MAX_UPLOAD_BYTES: Final = 512 * 1024**2
"""Largest accepted upload (512 MiB): a large town's buildings as GeoPackage fit well."""

_VECTOR: Final = (".gpkg", ".geojson", ".json", ".fgb")
_MODELS: Final = (".city.json", ".gml", ".xml")
_RASTER: Final = (".tif", ".tiff")


def accepted_suffixes(layer: LayerConfig) -> tuple[str, ...]:
    """File suffixes an upload for ``layer`` may have.

    Single files only (a Shapefile needs its sidecar files: send a GeoPackage instead);
    3D city models only for buildings, GeoTIFF only for raster layers.

    Examples
    --------
    >>> from twin.config import LocalText
    >>> layer = LayerConfig(name="trees", title=LocalText(de="Bäume"), kind="trees",
    ...     path=Path("trees.gpkg"), classification="public", owner="x", licence="x", source="x")
    >>> accepted_suffixes(layer)
    ('.gpkg', '.geojson', '.json', '.fgb')
    """
    if layer.kind == LayerKind.RASTER:
        return _RASTER
    if layer.kind == LayerKind.BUILDINGS:
        return _MODELS + _VECTOR
    return _VECTOR


def upload_suffix(layer: LayerConfig, filename: str) -> str:
    """The suffix of an uploaded file's name, if ``layer`` accepts it (400 otherwise)."""
    name = filename.lower()
    for suffix in accepted_suffixes(layer):
        if name.endswith(suffix):
            return suffix
    raise InvalidRequestError(
        f"layer {layer.name!r} cannot be replaced by {filename!r}: unsupported file type",
        hint=f"Send one file ending in {', '.join(accepted_suffixes(layer))}.",
    )


def safe_name(filename: str, suffix: str) -> str:
    """The uploaded file's name, reduced to safe characters, for the kept copy and messages.

    Examples
    --------
    >>> safe_name("../Ortsteile 2025 (neu).gpkg", ".gpkg")
    'Ortsteile_2025_neu_.gpkg'
    """
    stem = Path(filename).name[: len(Path(filename).name) - len(suffix)]
    stem = re.sub(r"[^\w.-]+", "_", stem).lstrip("._")[:80]
    return f"{stem or 'upload'}{suffix}"


class UploadRefused(LayerValidationError):
    """The upload did not pass validation; nothing was written. ``report`` says why by feature."""

    def __init__(self, message: str, *, hint: str = "", report: ImportReport | None = None):
        super().__init__(message, hint=hint)
        self.report = report


@dataclass(frozen=True)
class UploadResult:
    """An accepted upload: the import report, the new catalogue entry and the kept file."""

    report: ImportReport
    entry: CatalogueEntry
    source_file: Path


class _Staging:
    """What the importer sees as the store while an upload is checked.

    It answers the importer's one question (the municipality, for its boundary) and
    keeps the layer the importer would write instead of writing it; the caller writes it
    to the real store once the report is accepted. Anything else fails loudly, so that a
    change of the importer cannot write past the check.
    """

    def __init__(self, store: TwinStore) -> None:
        self._store = store
        self.written: tuple[CatalogueEntry, gpd.GeoDataFrame, gpd.GeoSeries | None] | None = None

    def municipality(self) -> MunicipalityRecord:
        return self._store.municipality()

    def write_layer(
        self,
        entry: CatalogueEntry,
        frame: gpd.GeoDataFrame,
        *,
        actor: str,
        surfaces: gpd.GeoSeries | None = None,
    ) -> None:
        self.written = (entry, frame, surfaces)


def _receive(source: BinaryIO, target: Path, *, limit: int) -> None:
    """Copy the upload to ``target``, refusing more than ``limit`` bytes."""
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise InvalidRequestError(
                    f"the file is larger than {limit // 1024**2} MiB",
                    hint="Send the layer as a GeoPackage, or ask for the file to be imported "
                    "with 'twin import' on the server.",
                )
            out.write(chunk)
    if size == 0:
        raise DataFileError("the uploaded file is empty", hint="Choose the file again.")


def _gpkg_layer(path: Path, layer: LayerConfig) -> str | None:
    """Which table of an uploaded GeoPackage is the layer: the configured one, else the only one."""
    try:
        with warnings.catch_warnings():  # GDAL's notes on odd files; the reader judges them
            warnings.simplefilter("ignore", RuntimeWarning)
            names = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (DataLayerError, DataSourceError, OSError, ValueError):  # the reader will say why
        return layer.layer
    for wanted in (layer.layer, layer.name):
        if wanted in names:
            return wanted
    if len(names) == 1:
        return names[0]
    raise DataFileError(
        f"the GeoPackage holds {len(names)} layers and none is called "
        f"{layer.layer or layer.name!r}: {', '.join(names)}",
        hint="Send a GeoPackage with one layer, or name its layer like the twin's layer.",
    )


def _version(layer: LayerConfig, path: Path) -> LayerConfig:
    """``layer`` read from ``path``: format from the suffix, table of a GeoPackage chosen."""
    sublayer = _gpkg_layer(path, layer) if path.suffix.lower() == ".gpkg" else None
    return layer.model_copy(update={"path": path, "format": None, "layer": sublayer})


def replace_layer(
    workspace: Workspace,
    slug: str,
    name: str,
    upload: BinaryIO,
    filename: str,
    *,
    actor: str,
    accept_rejections: bool = False,
    limit: int = MAX_UPLOAD_BYTES,
) -> UploadResult:
    """Import ``upload`` as the new version of configured layer ``name``; all or nothing.

    Raises a :class:`~twin.errors.TwinError` (:class:`UploadRefused` with the report when
    features would be rejected) and leaves store, config and sources unchanged then.
    """
    config = workspace.config(slug, check_files=False)
    layer = config.layer(name)
    suffix = upload_suffix(layer, filename)
    folder = workspace.folder(slug)
    (folder / UPLOADS).mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tmp-", dir=folder / UPLOADS) as incoming:
        arrived = Path(incoming) / "upload"
        _receive(upload, arrived, limit=limit)
        checksum = file_checksum(arrived)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        version = folder / SOURCES / name / f"{stamp}-{checksum[:12]}"
        for n in range(2, 100):  # the same file twice within a second
            if not version.exists():
                break
            version = version.with_name(f"{stamp}-{checksum[:12]}-{n}")
        version.mkdir(parents=True)
        kept = version / safe_name(filename, suffix)
        os.replace(arrived, kept)  # same file system: atomic
    # one upload per municipality at a time, and the config read again inside: without it
    # two uploads could each save the config they read before the other's import
    with lock_for(folder):
        config = workspace.config(slug, check_files=False)
        try:
            replaced = _version(config.layer(name), kept)
            report, entry = _import(
                config, workspace.store(slug), replaced, actor=actor, accept=accept_rejections
            )
        except BaseException as error:
            shutil.rmtree(version, ignore_errors=True)
            with contextlib.suppress(OSError):  # the layer's folder too, if this was its first
                version.parent.rmdir()
            if isinstance(error, TwinError):
                _without_folder(error, version)
            raise
        # the store holds the new version now: the file stays, and the config names it
        layers = [replaced if other.name == name else other for other in config.layers]
        workspace.save_config(config.model_copy(update={"layers": layers}))
    logger.info("%s uploaded a new version of %s/%s: %s", actor, slug, name, report.summary())
    return UploadResult(report, entry, kept)


def _without_folder(error: TwinError, folder: Path) -> None:
    """Name the uploaded file as it was uploaded, without the server's folder before it.

    The importer's messages name the file it read, which for the command line is a path
    the user typed; for an upload it is where the server keeps sources.
    """
    for attribute in ("message", "hint"):
        text = getattr(error, attribute)
        setattr(
            error,
            attribute,
            text.replace(f"{folder.resolve()}{os.sep}", "").replace(f"{folder}{os.sep}", ""),
        )
    error.args = (error.message,)


def _import(
    config: MunicipalityConfig, store: TwinStore, layer: LayerConfig, *, actor: str, accept: bool
) -> tuple[ImportReport, CatalogueEntry]:
    """Run the import pipeline; write the vector layer only if its report is accepted."""
    if layer.kind == LayerKind.RASTER:  # one grid: it imports whole or not at all
        report = import_layer(config, store, layer, actor=actor)
        return report, store.layer(layer.name)
    staging = _Staging(store)
    report = import_layer(config, cast(TwinStore, staging), layer, actor=actor)
    assert staging.written is not None, "the importer wrote nothing"
    entry, frame, surfaces = staging.written
    if report.rejected and not accept:
        raise UploadRefused(
            f"layer {layer.name!r}: {report.rejected} of {report.read} features would be "
            "rejected; nothing was imported",
            hint="See the report. Fix the file, or send it again accepting the rejections.",
            report=report,
        )
    store.write_layer(entry, frame, actor=actor, surfaces=surfaces)
    return report, entry
