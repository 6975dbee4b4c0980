"""CityJSON 1.1/2.0 and CityJSONSeq buildings into the twin's building table.

CityJSON is the compact JSON encoding of CityGML that many municipalities convert their
LoD1/LoD2 models into; vertices are integers with a ``transform``. See
:mod:`layers.buildings` for the columns.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from pyproj import CRS

from layers._building_parts import (
    Attributes,
    BuildingModel,
    Collector,
    parse_number,
    walk_parts,
)
from layers._faces import Face, Shape, choose_shape, surfaces_3d
from layers._model_files import one_line, parse_file_crs, require_file
from twin.errors import CRSError, DataFileError, LayerValidationError

logger = logging.getLogger(__name__)


def _json_error(path: Path, line: int, column: int, message: str) -> DataFileError:
    return DataFileError(
        f"{path} is not valid JSON (line {line}, column {column}): {message}",
        hint="The file is probably truncated or damaged; export it again (cjio can validate it).",
    )


def _cityjson_crs(document: dict[str, Any], path: Path) -> CRS:
    metadata = document.get("metadata") or {}
    reference = metadata.get("referenceSystem")
    if reference is None and isinstance(metadata.get("crs"), dict):  # CityJSON 0.x
        reference = metadata["crs"].get("epsg")
    if reference in (None, ""):
        raise CRSError(
            f"{path} declares no coordinate reference system (metadata.referenceSystem)",
            hint='Add "metadata": {"referenceSystem": '
            '"https://www.opengis.net/def/crs/EPSG/0/25832"} (cjio crs_assign 25832).',
        )
    return parse_file_crs(reference if isinstance(reference, str) else int(reference), path)


def _cityjson_vertices(
    vertices: Any, transform: dict[str, Any] | None, path: Path
) -> NDArray[np.float64]:
    try:
        array = np.asarray(vertices if vertices is not None else [], dtype=np.float64)
        array = array.reshape(-1, 3)
        if transform:
            scale = np.asarray(transform["scale"], dtype=np.float64)
            translate = np.asarray(transform["translate"], dtype=np.float64)
            array = array * scale + translate
    except (ValueError, TypeError, KeyError) as exc:
        raise LayerValidationError(
            f"{path}: vertices or transform are not valid CityJSON ({one_line(str(exc))})",
            hint="Vertices must be [x, y, z] triples; transform needs scale and translate.",
        ) from None
    return array


def _surfaces(geometry: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(surface boundaries, semantic value) for every surface of a CityJSON geometry."""
    kind = geometry.get("type")
    boundaries = geometry.get("boundaries") or []
    values = (geometry.get("semantics") or {}).get("values")
    if kind in ("MultiSurface", "CompositeSurface"):
        shells, shell_values = [boundaries], [values]
    elif kind == "Solid":
        shells, shell_values = boundaries, values or [None] * len(boundaries)
    elif kind in ("MultiSolid", "CompositeSolid"):
        shells, shell_values = [], []
        for solid, solid_values in zip(boundaries, values or [None] * len(boundaries), strict=True):
            shells.extend(solid)
            shell_values.extend(solid_values or [None] * len(solid))
    else:
        return
    for shell, shell_value in zip(shells, shell_values, strict=True):
        for number, surface in enumerate(shell):
            yield surface, (shell_value[number] if shell_value is not None else None)


def _lod(geometry: dict[str, Any]) -> float:
    try:
        return float(str(geometry.get("lod", 0)))
    except ValueError:
        return 0.0


def _indices(ring: Any) -> NDArray[np.intp]:
    indices = np.asarray(ring, dtype=np.intp)
    if indices.ndim != 1 or (indices < 0).any():
        raise IndexError(f"ring {ring!r} is not a list of vertex indices")
    return indices


def _cityjson_shape(obj: dict[str, Any], vertices: NDArray[np.float64]) -> Shape:
    geometries = [g for g in obj.get("geometry") or [] if g.get("type") != "GeometryInstance"]
    if not geometries:
        return Shape(None, math.nan, math.nan)
    geometry = max(geometries, key=_lod)
    semantic_types = [s.get("type") for s in (geometry.get("semantics") or {}).get("surfaces", [])]
    ground: list[Face] = []
    faces: list[Face] = []
    for surface, value in _surfaces(geometry):
        face = [vertices[_indices(ring)] for ring in surface]
        if not face or len(face[0]) < 3:
            continue
        faces.append(face)
        if value is not None and semantic_types[value] == "GroundSurface":
            ground.append(face)
    shape = choose_shape([("ground", ground), ("solid", faces)], all_faces=faces)
    if _lod(geometry) >= 2 and shape.footprint is not None:
        shape = dataclasses.replace(shape, surfaces=surfaces_3d(faces))
    return shape


def _attribute_number(attributes: dict[str, Any], name: str) -> float:
    value = attributes.get(name)
    return math.nan if value is None else parse_number(str(value))


def _cityjson_attributes(obj: dict[str, Any]) -> Attributes:
    attributes = obj.get("attributes") or {}
    function = attributes.get("function")
    if isinstance(function, list):
        function = function[0] if function else None
    text = str(function).strip() if function is not None else ""
    return Attributes(
        measured=_attribute_number(attributes, "measuredHeight"),
        storeys=_attribute_number(attributes, "storeysAboveGround"),
        function=text or None,
    )


def _cityjson_objects(
    objects: dict[str, Any], vertices: NDArray[np.float64], collector: Collector, where: str
) -> None:
    """Add the Buildings and BuildingParts of one CityObjects mapping to ``collector``."""

    def children(part_id: Any) -> list[Any]:
        part = objects.get(part_id) or {}
        return [c for c in part.get("children") or [] if type_of(c) == "BuildingPart"]

    def type_of(object_id: Any) -> str | None:
        obj = objects.get(object_id)
        return obj.get("type") if isinstance(obj, dict) else None

    def own(part_id: Any) -> tuple[str, Attributes]:
        return str(part_id), _cityjson_attributes(objects[part_id])

    seen: set[str] = set()
    current = ""  # the object being read, for the message
    try:
        for object_id, obj in objects.items():
            if not isinstance(obj, dict) or obj.get("type") != "Building":
                continue
            current = object_id
            collector.buildings += 1
            attrs = _cityjson_attributes(obj)
            parts = children(object_id)
            shape = _cityjson_shape(obj, vertices)
            collector.add_building(object_id, attrs, shape, has_parts=bool(parts))
            for part_id, part_feature_id, part_attrs in walk_parts(
                object_id, attrs, parts, children=children, own=own
            ):
                seen.add(part_id)
                current = part_feature_id
                shape = _cityjson_shape(objects[part_id], vertices)
                collector.add(part_feature_id, object_id, part_attrs, shape)
        for object_id, obj in objects.items():  # parts whose Building is not in the file
            if (
                isinstance(obj, dict)
                and obj.get("type") == "BuildingPart"
                and object_id not in seen
            ):
                parents = obj.get("parents") or []
                if any(type_of(p) == "BuildingPart" for p in parents):
                    continue  # reached through its parent part, or an orphan chain
                current = object_id
                building_id = str(parents[0]) if parents else object_id
                attrs = _cityjson_attributes(obj)
                collector.add(object_id, building_id, attrs, _cityjson_shape(obj, vertices))
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise LayerValidationError(
            f"{where}: CityObject {current!r} has invalid geometry or attributes "
            f"({type(exc).__name__}: {one_line(str(exc))})",
            hint="Validate the file with cjio (cjio FILE validate) and fix the reported objects.",
        ) from None


def _cityjson_header(document: Any, path: Path, *, expected: str = "CityJSON") -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("type") != expected:
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise LayerValidationError(
            f"{path} is not {expected} (type {found!r})",
            hint="Expected a CityJSON 1.1/2.0 file (.city.json) or CityJSONSeq (.city.jsonl).",
        )
    return document


def _read_cityjson_seq(path: Path, collector: Collector) -> CRS:
    """CityJSONSeq: a CityJSON header line, then one CityJSONFeature per line."""
    crs: CRS | None = None
    transform: dict[str, Any] | None = None
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                document = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _json_error(path, number, exc.colno, exc.msg) from None
            if crs is None:
                header = _cityjson_header(document, path)
                crs = _cityjson_crs(header, path)
                transform = header.get("transform")
                continue
            feature = _cityjson_header(document, path, expected="CityJSONFeature")
            vertices = _cityjson_vertices(feature.get("vertices"), transform, path)
            objects = feature.get("CityObjects") or {}
            _cityjson_objects(objects, vertices, collector, where=f"{path}, line {number}")
    if crs is None:
        raise DataFileError(f"{path} is empty", hint="Export the CityJSONSeq file again.")
    return crs


def read_cityjson(path: Path) -> gpd.GeoDataFrame:
    """Read the buildings of a CityJSON file; see :func:`read_cityjson_model`."""
    return read_cityjson_model(path).frame


def read_cityjson_model(path: Path) -> BuildingModel:
    """Read the buildings of a CityJSON 1.1/2.0 file or a CityJSONSeq (``.city.jsonl``).

    CityJSON is the compact JSON encoding of CityGML that tools such as cjio, 3DBAG and
    the AdV converters write; integer vertices are turned into coordinates with the
    file's ``transform`` (``scale`` and ``translate``). A CityJSON document is one JSON
    object and is read whole; CityJSONSeq is read line by line, one feature at a time,
    and suits large areas.

    Rows, ids, inheritance and heights follow :func:`layers.citygml.read_citygml`, from the
    attributes ``measuredHeight``, ``storeysAboveGround`` and ``function`` (ALKIS code
    or free text, see :data:`~layers.buildings.FUNCTION_WORD_USE`); ``roofType`` and
    other attributes are not part of the building frame. Of each object's geometries the
    one with the highest LoD is used: its footprint is the union of its ``GroundSurface``
    surfaces, else of its lowest horizontal faces, else the 2D union of all its faces.
    Geometry templates (``GeometryInstance``) are not used. Where that geometry has LoD 2
    or higher, all its surfaces are kept as a MultiPolygon Z (``surfaces``) for 3D views.

    Parameters
    ----------
    path
        ``.city.json``/``.json`` (CityJSON) or ``.jsonl`` (CityJSONSeq; also detected
        from the content). The CRS comes from ``metadata.referenceSystem``; a compound
        CRS gives its horizontal part.

    Returns
    -------
    BuildingModel
        ``frame``: columns :data:`~layers.buildings.BUILDING_COLUMNS`, 2D footprints, in
        the (horizontal) CRS of ``metadata.referenceSystem``; ``surfaces``: LoD2+
        surfaces by ``feature_id``, same CRS, z as in the file.

    Raises
    ------
    DataFileError
        Missing, unreadable or corrupt JSON; the message names the file, line and column.
    CRSError
        No or unknown ``referenceSystem``.
    LayerValidationError
        Not CityJSON, invalid geometry, or no building with a footprint.
    """
    require_file(path)
    collector = Collector(source=str(path))
    try:
        if path.name.lower().endswith(".jsonl"):
            crs = _read_cityjson_seq(path, collector)
            return collector.model(crs)
        text = path.read_text(encoding="utf-8")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data" and exc.lineno > 1:  # one JSON text per line
                crs = _read_cityjson_seq(path, collector)
                return collector.model(crs)
            raise _json_error(path, exc.lineno, exc.colno, exc.msg) from None
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"{path} is not UTF-8 text (byte {exc.start}): {exc.reason}",
            hint="CityJSON must be UTF-8 encoded; the file may be damaged or not CityJSON.",
        ) from None
    except OSError as exc:
        if isinstance(exc, DataFileError):
            raise
        raise DataFileError(
            f"{path} cannot be read: {one_line(str(exc))}", hint="Check the file."
        ) from None
    header = _cityjson_header(document, path)
    crs = _cityjson_crs(header, path)
    vertices = _cityjson_vertices(header.get("vertices"), header.get("transform"), path)
    objects = header.get("CityObjects") or {}
    if not isinstance(objects, dict):
        raise LayerValidationError(f"{path}: CityObjects is not a JSON object")
    _cityjson_objects(objects, vertices, collector, where=str(path))
    return collector.model(crs)
