"""Bring a municipality's data into its twin: set it up, then import layers one by one.

Each layer goes read → reproject → validate → normalise (buildings, land use) → store,
and is written in one transaction: a layer that fails at any step leaves the store as it
was, and the other layers are unaffected.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import tomli_w
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers import buildings, citygml, cityjson, landuse
from layers.crs import require_metric_crs, to_municipality_crs
from layers.raster import import_raster
from layers.validate import validate_features
from layers.vector import read_vector
from twin.catalogue import CatalogueEntry, FeatureIssue, ImportReport, RasterInfo
from twin.config import LayerConfig, LayerKind, MunicipalityConfig
from twin.errors import DataFileError, LayerValidationError
from twin.store.base import MunicipalityRecord, TwinStore
from twin.workspace import Workspace

logger = logging.getLogger(__name__)


def file_checksum(path: Path) -> str:
    """SHA-256 of a file, so the catalogue can tell whether a source changed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_boundary(config: MunicipalityConfig) -> BaseGeometry:
    """The municipality's boundary as one polygon in its CRS."""
    path = config.resolve(config.boundary)
    frame = to_municipality_crs(
        read_vector(path), to_crs=require_metric_crs(config.crs), source=f"boundary {path.name}"
    )
    geometry = shapely.make_valid(shapely.union_all(frame.geometry.to_numpy()))
    if geometry.is_empty or shapely.get_dimensions(geometry) != 2:
        raise LayerValidationError(
            f"boundary {path.name} holds no polygon",
            hint="The boundary file must contain the municipality's area as (multi)polygon(s).",
        )
    return geometry


def init_municipality(config: MunicipalityConfig, workspace: Workspace, *, actor: str) -> TwinStore:
    """Create (or update) a municipality's folder and store from its config."""
    boundary = read_boundary(config)
    workspace.save_config(config)
    store = workspace.store(config.slug)
    store.set_municipality(
        MunicipalityRecord(
            slug=config.slug,
            name=config.name,
            ags=config.ags,
            crs=config.crs,
            boundary=boundary,
            demo=config.demo,
            config_toml=tomli_w.dumps(config.to_toml_dict()),
        ),
        actor=actor,
    )
    return store


def _read_features(layer: LayerConfig, path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    """The layer's features, and the LoD2 surfaces of a 3D building model (else none)."""
    match layer.file_format:
        case "citygml":
            model = citygml.read_citygml_model(path)
        case "cityjson":
            model = cityjson.read_cityjson_model(path)
        case _:
            frame = read_vector(
                path, layer=layer.layer, where=layer.where, file_format=layer.file_format
            )
            return frame, gpd.GeoSeries([], crs=frame.crs)
    return model.frame, model.surfaces


def _kept_surfaces(
    surfaces: gpd.GeoSeries, clean: gpd.GeoDataFrame, *, crs: CRS
) -> gpd.GeoSeries | None:
    """The LoD2 surfaces of the imported rows in the municipality's CRS (z unchanged)."""
    surfaces = surfaces[surfaces.index.isin(clean["feature_id"])]
    if surfaces.empty:
        return None
    if surfaces.crs is not None and not CRS(surfaces.crs).equals(crs, ignore_axis_order=True):
        surfaces = surfaces.to_crs(crs)
    return surfaces


def _normalise(
    layer: LayerConfig, frame: gpd.GeoDataFrame, report: ImportReport, *, source: str
) -> gpd.GeoDataFrame:
    """Kind-specific shaping into the twin's form; adds findings to ``report``."""
    if layer.kind == LayerKind.BUILDINGS and layer.file_format not in ("citygml", "cityjson"):
        return buildings.normalise_footprints(frame, source=source)
    if layer.kind == LayerKind.LANDUSE:
        result = landuse.classify_landuse(
            frame, mapping=layer.mapping or "toolkit", class_field=layer.class_field
        )
        report.issues += [
            FeatureIssue(feature_id=fid, problem=reason, action="rejected")
            for fid, reason in zip(
                result.unmatched["feature_id"], result.unmatched["reason"], strict=True
            )
        ]
        report.rejected += len(result.unmatched)
        return result.frame
    return frame


def _parse_times(
    frame: gpd.GeoDataFrame, field: str, report: ImportReport
) -> tuple[gpd.GeoDataFrame, tuple[str | None, str | None]]:
    if field not in frame.columns:
        raise LayerValidationError(
            f"layer {report.layer!r}: time field {field!r} is not an attribute",
            hint="Fix 'time_field' in the config.",
        )
    times = pd.to_datetime(frame[field], utc=True, errors="coerce", format="mixed")
    bad = times.isna() & frame[field].notna()
    report.issues += [
        FeatureIssue(
            feature_id=fid, problem=f"unreadable time in {field!r}", action="kept without time"
        )
        for fid in frame.loc[bad, "feature_id"]
    ]
    frame = frame.assign(**{field: times})
    iso = "%Y-%m-%dT%H:%M:%SZ"
    extent = (
        (times.min().strftime(iso), times.max().strftime(iso))
        if times.notna().any()
        else (None, None)
    )
    return frame, extent


def import_layer(
    config: MunicipalityConfig, store: TwinStore, layer: LayerConfig, *, actor: str
) -> ImportReport:
    """Import one layer into ``store``; raise a :class:`~twin.errors.TwinError` on failure.

    Nothing is written unless the whole layer could be read and at least one feature
    passed validation.
    """
    path = config.resolve(layer.path)
    if not path.exists():
        raise DataFileError(
            f"layer {layer.name!r}: file not found: {path}",
            hint="Check the layer's path in the config (relative to the config file).",
        )
    crs = require_metric_crs(config.crs)
    entry = CatalogueEntry.from_config(
        layer, source_file=str(path), checksum=file_checksum(path), actor=actor
    )
    if layer.kind == LayerKind.RASTER:
        return _import_raster(entry, store, path, crs=crs, actor=actor)
    source = f"{path.name}" + (f" (layer {layer.layer!r})" if layer.layer else "")
    features, surfaces = _read_features(layer, path)
    frame = to_municipality_crs(features, to_crs=crs, source=source)
    boundary = store.municipality().boundary
    clean, report = validate_features(frame, layer=layer, boundary=boundary, source=source)
    clean = _normalise(layer, clean, report, source=source)
    if clean.empty:
        raise LayerValidationError(
            f"layer {layer.name!r}: no feature of {source} could be imported",
            hint="See the import report for the reasons.",
        )
    if layer.time_field:
        clean, entry.time_extent = _parse_times(clean, layer.time_field, report)
    report.imported = len(clean)
    entry.feature_count = len(clean)
    entry.bbox = tuple(float(v) for v in clean.total_bounds)  # type: ignore[assignment]
    entry.geometry_type = "/".join(sorted(clean.geom_type.unique()))
    entry.report = report
    kept = _kept_surfaces(surfaces, clean, crs=crs) if layer.kind == LayerKind.BUILDINGS else None
    store.write_layer(entry, clean, actor=actor, surfaces=kept)
    logger.info(report.summary())
    return report


def _import_raster(
    entry: CatalogueEntry, store: TwinStore, path: Path, *, crs: CRS, actor: str
) -> ImportReport:
    with tempfile.TemporaryDirectory(prefix="twin-raster-") as staging_dir:
        staging = Path(staging_dir) / f"{entry.name}.tif"
        summary = import_raster(path, staging, to_crs=crs)
        entry.bbox = summary.bounds
        entry.raster = RasterInfo(
            width=summary.width,
            height=summary.height,
            bands=summary.bands,
            resolution=summary.resolution,
            dtype=summary.dtype,
            nodata=summary.nodata,
        )
        report = ImportReport(
            layer=entry.name,
            read=1,
            imported=1,
            raster=f"{summary.width} × {summary.height} px at {summary.resolution[0]:g} m, "
            f"{summary.bands} band(s), {summary.dtype}",
        )
        entry.report = report
        store.write_raster(entry, staging, actor=actor)
    return report
