"""CityGML 1.0/2.0 buildings (AdV LoD1/LoD2 profile) into the twin's building table.

German surveying offices deliver their 3D building models as CityGML tiles of up to a
few hundred MB; the file is streamed one ``Building`` at a time with lxml ``iterparse``
and coordinates are parsed with numpy, so memory stays small. See
:mod:`layers.buildings` for the columns.

Examples
--------
>>> from pathlib import Path
>>> frame = read_citygml(Path("tests/data/buildings_citygml2.gml"))
>>> frame[["feature_id", "building_id", "height", "storeys", "use"]].values.tolist()
[['BLDG_A', 'BLDG_A', 9.5, 3, 'residential'], ['BLDG_B_1', 'BLDG_B', 12.0, 4, 'mixed'], \
['BLDG_B_2', 'BLDG_B', 6.0, 4, 'mixed']]
>>> frame.crs.to_epsg(), round(float(frame.area.sum()), 1)
(25832, 232.0)
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from lxml import etree
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
from layers.crs import crs_label
from twin.errors import CRSError, DataFileError, LayerValidationError

logger = logging.getLogger(__name__)


_GML = "http://www.opengis.net/gml"


_XLINK = "http://www.w3.org/1999/xlink"


_GML_ID = f"{{{_GML}}}id"


_HREF = f"{{{_XLINK}}}href"


_NS = {
    "gml": _GML,
    "xlink": _XLINK,
    "b1": "http://www.opengis.net/citygml/building/1.0",
    "b2": "http://www.opengis.net/citygml/building/2.0",
}


_CORE = ("http://www.opengis.net/citygml/1.0", "http://www.opengis.net/citygml/2.0")


_BUILDING_TAGS = [f"{{{_NS[v]}}}Building" for v in ("b1", "b2")]


_MEMBER_TAGS = [f"{{{core}}}cityObjectMember" for core in _CORE] + [f"{{{_GML}}}featureMember"]


_ENVELOPE_TAG = f"{{{_GML}}}Envelope"


def _xpath(expression: str) -> Any:
    """Compile ``expression`` for both building namespaces ('b:' → 'b1:' | 'b2:')."""
    both = "|".join(expression.replace("b:", prefix) for prefix in ("b1:", "b2:"))
    return etree.XPath(both, namespaces=_NS)


_X_MEASURED = _xpath("b:measuredHeight")


_X_STOREYS = _xpath("b:storeysAboveGround")


_X_FUNCTION = _xpath("b:function")


_X_PARTS = _xpath("b:consistsOfBuildingPart/b:BuildingPart")


_X_BOUNDED = _xpath("b:boundedBy/*")


_X_SOLIDS = [_xpath(f"b:lod{lod}Solid") for lod in (4, 3, 2, 1)]


_X_FOOTPRINT = _xpath("b:lod0FootPrint")


_X_MULTISURFACES = [_xpath(f"b:lod{lod}MultiSurface") for lod in (4, 3, 2, 1)]


_X_ROOF_EDGE = _xpath("b:lod0RoofEdge")


_X_POLYGONS = etree.XPath("descendant-or-self::gml:Polygon", namespaces=_NS)


_X_HREFS = etree.XPath(".//*[@xlink:href]", namespaces=_NS)


_X_IDS = etree.XPath(".//*[@gml:id]", namespaces=_NS)


_X_EXTERIOR = etree.XPath(
    "gml:exterior/gml:LinearRing|gml:outerBoundaryIs/gml:LinearRing", namespaces=_NS
)


_X_INTERIOR = etree.XPath(
    "gml:interior/gml:LinearRing|gml:innerBoundaryIs/gml:LinearRing", namespaces=_NS
)


_X_SRS = etree.XPath("(.//@srsName)[1]")


_POS_LIST = f"{{{_GML}}}posList"


_POS = f"{{{_GML}}}pos"


_COORDINATES = f"{{{_GML}}}coordinates"


class _GeometryError(ValueError):
    """Unreadable coordinates in one element; becomes a DataFileError with the line."""

    def __init__(self, message: str, element: Any) -> None:
        super().__init__(message)
        self.line = element.sourceline


def _floats(text: str | None, element: Any) -> NDArray[np.float64]:
    """Parse whitespace-separated numbers in C (numpy), without a Python float each."""
    try:
        values = np.fromstring(text or "", dtype=np.float64, sep=" ")
    except ValueError:
        raise _GeometryError("coordinates are not numbers", element) from None
    if not np.isfinite(values).all():
        raise _GeometryError("coordinates are not finite", element)
    return values


def _ring(ring: Any) -> NDArray[np.float64]:
    """Coordinates of a gml:LinearRing (posList, pos sequence or legacy coordinates)."""
    pos_list = ring.find(_POS_LIST)
    if pos_list is not None:
        values = _floats(pos_list.text, pos_list)
        declared = pos_list.get("srsDimension") or pos_list.get("dimension")
        dim = (
            int(declared) if declared and declared.isdigit() else (3 if values.size % 3 == 0 else 2)
        )
    elif positions := ring.findall(_POS):
        values = _floats(" ".join(p.text or "" for p in positions), ring)
        dim = values.size // len(positions) if values.size % len(positions) == 0 else 0
    elif (coordinates := ring.find(_COORDINATES)) is not None:
        text = (coordinates.text or "").strip()
        separator = coordinates.get("cs", ",")
        first = text.split(None, 1)[0] if text else ""
        dim = first.count(separator) + 1
        values = _floats(text.replace(separator, " "), coordinates)
    else:
        return np.empty((0, 3))
    if dim not in (2, 3) or values.size % dim:
        raise _GeometryError(f"{values.size} coordinate values do not form 2D or 3D points", ring)
    return values.reshape(-1, dim)


def _polygon_face(polygon: Any) -> Face | None:
    exterior = _X_EXTERIOR(polygon)
    if not exterior:
        return None
    outer = _ring(exterior[0])
    if len(outer) < 3:
        return None
    return [outer, *(r for r in map(_ring, _X_INTERIOR(polygon)) if len(r) >= 3)]


class _IdIndex:
    """gml:id → element within one Building, built on first use (for xlink:href)."""

    def __init__(self, root: Any) -> None:
        self._root = root
        self._ids: dict[str, Any] | None = None

    def __call__(self, reference: str) -> Any:
        if self._ids is None:
            self._ids = {el.get(_GML_ID): el for el in _X_IDS(self._root)}
        return self._ids.get(reference.removeprefix("#"))


def _faces(elements: Iterable[Any], resolve: _IdIndex) -> list[Face]:
    """All polygon faces under ``elements``, following local xlink:href references."""
    faces: list[Face] = []
    for element in elements:
        targets = [element]
        for reference in _X_HREFS(element):
            target = resolve(reference.get(_HREF) or "")
            if target is None:
                logger.debug("unresolved xlink:href %r", reference.get(_HREF))
            else:
                targets.append(target)
        for target in targets:
            for polygon in _X_POLYGONS(target):
                face = _polygon_face(polygon)
                if face is not None:
                    faces.append(face)
    return faces


def _first_text(xpath: Any, element: Any) -> str | None:
    found = xpath(element)
    text = found[0].text if found else None
    return text.strip() if text and text.strip() else None


def _citygml_attributes(element: Any) -> Attributes:
    return Attributes(
        measured=parse_number(_first_text(_X_MEASURED, element)),
        storeys=parse_number(_first_text(_X_STOREYS, element)),
        function=_first_text(_X_FUNCTION, element),
    )


def _citygml_shape(element: Any, resolve: _IdIndex) -> Shape:
    """Footprint and 3D extent of one Building or BuildingPart (without its parts)."""
    bounded = _X_BOUNDED(element)
    ground = _faces((s for s in bounded if etree.QName(s).localname == "GroundSurface"), resolve)
    other_bounded = _faces(
        (s for s in bounded if etree.QName(s).localname != "GroundSurface"), resolve
    )
    solids = [_faces(xpath(element), resolve) for xpath in _X_SOLIDS]
    solid = next((faces for faces in solids if faces), [])
    footprint = _faces(_X_FOOTPRINT(element), resolve)
    multi = [_faces(xpath(element), resolve) for xpath in _X_MULTISURFACES]
    surfaces = next((faces for faces in multi if faces), [])
    surfaces_lod2 = next((faces for faces in multi[:3] if faces), [])
    roof_edge = _faces(_X_ROOF_EDGE(element), resolve)
    candidates = [
        ("ground", ground),
        ("solid", solid),
        ("flat", footprint),
        ("solid", surfaces),
        ("solid", other_bounded),
        ("roof", roof_edge),
    ]
    all_faces = [*ground, *other_bounded, *solid, *footprint, *surfaces]
    shape = choose_shape(candidates, all_faces=all_faces)
    # LoD2+: the thematic surfaces (they exist from LoD2 on), else a LoD2-4 solid or
    # multi-surface; LoD1 solids and LoD0 footprints keep no surfaces.
    lod2 = next(
        (faces for faces in ([*ground, *other_bounded], *solids[:3], surfaces_lod2) if faces), []
    )
    if lod2 and shape.footprint is not None:
        shape = dataclasses.replace(shape, surfaces=surfaces_3d(lod2))
    return shape


def _citygml_building(building: Any, collector: Collector) -> None:
    collector.buildings += 1
    resolve = _IdIndex(building)
    building_id = building.get(_GML_ID) or f"building_{collector.buildings}"
    attrs = _citygml_attributes(building)
    parts = _X_PARTS(building)
    shape = _citygml_shape(building, resolve)
    collector.add_building(building_id, attrs, shape, has_parts=bool(parts))
    for part, part_id, part_attrs in walk_parts(
        building_id,
        attrs,
        parts,
        children=_X_PARTS,
        own=lambda p: (p.get(_GML_ID) or "", _citygml_attributes(p)),
    ):
        collector.add(part_id, building_id, part_attrs, _citygml_shape(part, resolve))


def _crs_from_names(names: list[str], path: Path) -> CRS:
    if not names:
        raise CRSError(
            f"{path} declares no coordinate reference system (no srsName on gml:Envelope "
            "or on any geometry)",
            hint="Add srsName to the gml:Envelope of the CityModel, e.g. "
            "'urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH' or 'EPSG:25832'.",
        )
    crss = {name: parse_file_crs(name, path) for name in dict.fromkeys(names)}
    first = next(iter(crss.values()))
    for name, crs in crss.items():
        if not crs.equals(first, ignore_axis_order=True):
            raise CRSError(
                f"{path} mixes coordinate reference systems: {crs_label(first)} and "
                f"{crs_label(crs)} (srsName {name!r})",
                hint="Split the file by CRS or reproject it (e.g. with citygml-tools).",
            )
    return first


def _xml_message(error: Any) -> str:
    """libxml2's message without the position it appends (we report it ourselves)."""
    message = one_line(error.msg or str(error))
    return re.sub(r"(?:,?\s*line \d+)+(?:, column \d+)?$", "", message).strip()


def _stream_citygml(handle: Any, collector: Collector, srs_names: dict[str, None]) -> str:
    """Feed every Building of an open CityGML file to ``collector``; return the root tag.

    Only the elements listed in ``tag`` produce events (filtered in C). Each city object
    member is cleared after its end tag and earlier siblings are deleted, so the tree in
    memory never holds more than one member.
    """
    context = etree.iterparse(
        handle,
        events=("end",),
        tag=[*_BUILDING_TAGS, *_MEMBER_TAGS, _ENVELOPE_TAG],
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
    )
    for _event, element in context:
        tag = element.tag
        if tag == _ENVELOPE_TAG:
            if name := element.get("srsName"):
                srs_names.setdefault(name)
        elif tag in _BUILDING_TAGS:
            if not srs_names and (found := _X_SRS(element)):
                srs_names.setdefault(str(found[0]))
            _citygml_building(element, collector)
        else:
            element.clear(keep_tail=True)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    root = getattr(context, "root", None)
    return str(root.tag) if root is not None else "?"


def read_citygml(path: Path) -> gpd.GeoDataFrame:
    """Read the buildings of a CityGML file; see :func:`read_citygml_model`."""
    return read_citygml_model(path).frame


def read_citygml_model(path: Path) -> BuildingModel:
    """Read the buildings of a CityGML 1.0 or 2.0 file (AdV LoD1/LoD2 profile).

    German surveying offices deliver their official 3D building models (LoD1-DE,
    LoD2-DE) as CityGML tiles of 1-2 km², often hundreds of MB each. The file is read as
    a stream (``lxml.etree.iterparse``) one ``bldg:Building`` at a time and each
    finished building is removed from memory, and coordinates are parsed by numpy, so
    memory stays at the size of the largest building plus the result table.

    One row per ``bldg:BuildingPart``, or per ``bldg:Building`` without parts (a
    Building with parts gets a row of its own only if it has a footprint of its own).
    ``building_id`` is the gml:id of the Building; storeys and function missing on a
    part are taken from its Building.

    Footprint, first that exists: the union of the LoD2+ ``bldg:GroundSurface`` polygons
    (``xlink:href`` references inside the Building are resolved); the lowest horizontal
    faces of the highest-LoD solid (else the 2D union of all its faces);
    ``lod0FootPrint``; the ``lodXMultiSurface``; the thematic surfaces; ``lod0RoofEdge``.

    Height, first that exists: ``bldg:measuredHeight`` (AdV: ground to ridge); the
    vertical extent of the object's own 3D geometry (also "measured", since it is the
    surveyed model); the Building's ``measuredHeight`` for a part without either;
    ``storeysAboveGround`` × :data:`~layers.buildings.STOREY_HEIGHT_M`; the default.
    ``ground_z`` is the lowest z of the ground surface (or lowest solid face). ``use``
    follows :data:`~layers.buildings.ALKIS_FUNCTION_USE` for ``bldg:function`` codes.

    LoD2+ geometry (the thematic surfaces, else a LoD2-4 solid or multi-surface) of each
    row is kept as a MultiPolygon Z (``surfaces``) for 3D views.

    Parameters
    ----------
    path
        CityGML file (``.gml``/``.xml``). The CRS comes from ``srsName`` on the
        ``gml:Envelope`` (else on the first geometry); AdV compound URNs such as
        ``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH`` give their horizontal EPSG CRS.

    Returns
    -------
    BuildingModel
        ``frame``: columns :data:`~layers.buildings.BUILDING_COLUMNS`, 2D footprints, in
        the (horizontal) CRS of the file's ``srsName``; ``surfaces``: LoD2+ surfaces by
        ``feature_id``, same CRS, z as in the file.

    Raises
    ------
    DataFileError
        Missing, unreadable, truncated or not well-formed file, or unreadable coordinates;
        the one-line message names the file and line.
    CRSError
        No ``srsName`` at all, an unknown one, or several different CRSs in one file.
    LayerValidationError
        No building with a footprint in the file.
    """
    require_file(path)
    collector = Collector(source=str(path))
    srs_names: dict[str, None] = {}  # distinct srsName values in order of appearance
    try:
        with path.open("rb") as handle:
            root = _stream_citygml(handle, collector, srs_names)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        raise DataFileError(
            f"{path} is not well-formed XML (line {line}, column {column}): {_xml_message(exc)}",
            hint="The file is probably truncated or damaged; download or export it again.",
        ) from None
    except _GeometryError as exc:
        raise DataFileError(
            f"{path}, line {exc.line}: {exc}",
            hint="Check the gml:posList/gml:pos values at that line.",
        ) from None
    except OSError as exc:
        raise DataFileError(
            f"{path} cannot be read: {one_line(str(exc))}", hint="Check the file."
        ) from None
    if collector.buildings == 0:
        raise LayerValidationError(
            f"{path} contains no CityGML 1.0/2.0 bldg:Building (root element {root})",
            hint="Check that this is a CityGML building file (namespace "
            "http://www.opengis.net/citygml/building/1.0 or /2.0).",
        )
    return collector.model(_crs_from_names(list(srs_names), path))
