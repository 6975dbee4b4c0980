"""Check features before they enter the twin, and say what was done about each problem.

Planners need to trust that the twin holds what the source holds, so nothing is dropped
silently: every repaired, rejected or out-of-area feature is listed by its id in the
:class:`~twin.catalogue.ImportReport`. All checks are vectorised over the whole layer.

Rules, in order:

1. a layer without features is an error (nothing is written);
2. each feature gets an id (``id_field``, else an ``id`` column, else its row number);
   later duplicates of an id are rejected;
3. features without geometry are rejected;
4. invalid geometries are repaired with ``shapely.make_valid``; if the repair leaves no
   geometry of the expected dimension the feature is rejected as unrepairable;
5. features of the wrong geometry type (e.g. a point in a polygon layer) are rejected;
6. features missing a required attribute are rejected;
7. features wholly outside the municipality's boundary are rejected ("outside").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from twin.catalogue import FeatureIssue, ImportReport
from twin.config import LayerConfig, LayerKind
from twin.errors import LayerValidationError

OUTSIDE = "wholly outside the municipality boundary"
_DIMENSION = {"point": 0, "line": 1, "polygon": 2}
_DEFAULT_GEOMETRY = {
    LayerKind.BUILDINGS: "polygon",
    LayerKind.LANDUSE: "polygon",
    LayerKind.DISTRICTS: "polygon",
    LayerKind.TREES: "point",
    LayerKind.STREETS: "line",
}


@dataclass(frozen=True)
class _Rejection:
    mask: NDArray[np.bool_]
    problem: str
    action: str = "rejected"


def expected_geometry(layer: LayerConfig) -> str | None:
    """The geometry type a layer must have: declared, or implied by its kind."""
    return layer.geometry or _DEFAULT_GEOMETRY.get(layer.kind)


def feature_ids(frame: gpd.GeoDataFrame, *, id_field: str | None) -> pd.Series:
    """Ids as text: ``id_field``, else a ``feature_id`` or ``id`` column, else the row number."""
    row_numbers = pd.Series(np.arange(1, len(frame) + 1).astype(str), index=frame.index)
    column = id_field or next((c for c in ("feature_id", "id") if c in frame.columns), None)
    if column is None:
        return row_numbers
    if column not in frame.columns:
        raise LayerValidationError(
            f"id field {column!r} is not an attribute of the layer",
            hint=f"Attributes are: {', '.join(map(str, frame.columns[:30]))}.",
        )
    ids = frame[column].astype("string")
    return ids.fillna(row_numbers).astype(str)


def _unique_column_names(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rename columns that differ only in case, such as OSM's ``name`` and ``Name``.

    SQLite, and so GeoPackage, treat column names case-insensitively.
    """
    seen: set[str] = set()
    renames = {}
    for column in frame.columns:
        key, candidate, n = column.lower(), column, 1
        while key in seen:
            n += 1
            candidate = f"{column}_{n}"
            key = candidate.lower()
        seen.add(key)
        if candidate != column:
            renames[column] = candidate
    return frame.rename(columns=renames) if renames else frame


def _keep_dimension(geometries: NDArray[np.object_], dimension: int) -> NDArray[np.object_]:
    """From repaired geometries keep only parts of ``dimension`` (make_valid can add lines)."""
    parts, index = shapely.get_parts(geometries, return_index=True)
    keep = shapely.get_dimensions(parts) == dimension
    out = np.full(len(geometries), None, dtype=object)
    if keep.any():
        frame = gpd.GeoDataFrame({"i": index[keep]}, geometry=parts[keep])
        merged = frame.dissolve(by="i").geometry
        out[merged.index.to_numpy()] = merged.to_numpy()
    return out


def _repair(
    geometries: NDArray[np.object_], expected: str | None
) -> tuple[NDArray[np.object_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Repair invalid geometries; return (geometries, repaired mask, unrepairable mask)."""
    invalid = ~shapely.is_valid(geometries) & ~shapely.is_missing(geometries)
    repaired = geometries.copy()
    unrepairable = np.zeros(len(geometries), dtype=bool)
    if invalid.any():
        fixed = shapely.make_valid(geometries[invalid])
        dimension = _DIMENSION.get(
            expected or "", int(shapely.get_dimensions(geometries[invalid]).max())
        )
        fixed = _keep_dimension(fixed, dimension)
        bad = shapely.is_missing(fixed) | shapely.is_empty(fixed)
        repaired[invalid] = fixed
        unrepairable[np.flatnonzero(invalid)[bad]] = True
    return repaired, invalid & ~unrepairable, unrepairable


def validate_features(
    frame: gpd.GeoDataFrame, *, layer: LayerConfig, boundary: BaseGeometry, source: str
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Apply the module's rules; return the clean features (with ``feature_id``) and a report.

    ``frame`` must already be in the municipality's CRS. Raises
    :class:`~twin.errors.LayerValidationError` when the layer is empty or no feature is
    left, so that the caller writes nothing.
    """
    report = ImportReport(layer=layer.name, read=len(frame))
    if frame.empty:
        raise LayerValidationError(
            f"layer {layer.name!r}: {source} contains no features",
            hint="Check the file, the layer name and the 'where' filter in the config.",
        )
    frame = _unique_column_names(frame.reset_index(drop=True))
    ids = feature_ids(frame, id_field=layer.id_field)
    geometries = frame.geometry.to_numpy()
    expected = expected_geometry(layer)
    missing = shapely.is_missing(geometries) | shapely.is_empty(geometries)
    geometries, repaired, unrepairable = _repair(geometries, expected)
    dimension = shapely.get_dimensions(geometries)
    rejections = [
        _Rejection(ids.duplicated().to_numpy(), "duplicate id (an earlier feature has it)"),
        _Rejection(missing, "no geometry"),
        _Rejection(unrepairable, "invalid geometry that cannot be repaired"),
    ]
    if expected is not None:
        wrong = ~missing & ~unrepairable & (dimension != _DIMENSION[expected])
        rejections.append(_Rejection(wrong, f"wrong geometry type, this layer holds {expected}s"))
    for name in layer.required:
        if name not in frame.columns:
            raise LayerValidationError(
                f"layer {layer.name!r}: required attribute {name!r} does not exist in {source}",
                hint="Remove it from 'required' or fix the source file.",
            )
        rejections.append(_Rejection(frame[name].isna().to_numpy(), f"missing required {name!r}"))
    present = ~missing & ~unrepairable
    outside = np.zeros(len(frame), dtype=bool)
    outside[present] = ~shapely.intersects(geometries[present], boundary)
    rejections.append(_Rejection(outside, OUTSIDE))

    rejected = np.zeros(len(frame), dtype=bool)
    for rule in rejections:
        new = rule.mask & ~rejected
        report.issues += [
            FeatureIssue(feature_id=fid, problem=rule.problem, action=rule.action)
            for fid in ids[new]
        ]
        rejected |= new
    fixed = repaired & ~rejected
    report.issues += [
        FeatureIssue(feature_id=fid, problem="invalid geometry", action="repaired (make_valid)")
        for fid in ids[fixed]
    ]
    report.repaired = int(fixed.sum())
    report.outside = sum(issue.problem == OUTSIDE for issue in report.issues)
    report.rejected = int(rejected.sum())
    clean = frame.loc[~rejected].copy()
    clean = clean.set_geometry(
        gpd.GeoSeries(geometries[~rejected], crs=frame.crs, index=clean.index)
    )
    clean = clean.drop(columns="feature_id", errors="ignore")
    clean.insert(0, "feature_id", ids[~rejected].to_numpy())
    if clean.empty:
        counts = Counter(issue.problem for issue in report.issues).most_common()
        raise LayerValidationError(
            f"layer {layer.name!r}: none of the {len(frame)} features in {source} can be "
            f"imported: " + ", ".join(f"{n} {problem}" for problem, n in counts),
            hint="A wrong CRS often puts every feature outside the boundary.",
        )
    report.imported = len(clean)
    return clean.reset_index(drop=True), report
