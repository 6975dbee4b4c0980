"""Town layout of Musterstadt: boundary, river, streets, blocks, land use and districts.

The town is built like many Franconian small towns: a compact historic core north of a
river, residential quarters on a street grid around it (apartment rows near the core,
detached houses further out), a commercial/industrial area to the east along the main
road, parks along the river, forest on the northern hill and farmland around. Geometry is
kept simple (a grid of rectangular blocks) so that the result is easy to check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

X0, Y0 = 632000.0, 5496000.0  # south-west corner, EPSG:25832 (fictional place in Franconia)
SIZE = 3000.0
CENTRE = (X0 + 1450.0, Y0 + 1650.0)
SETTLEMENT = (X0 + 550.0, Y0 + 1150.0, X0 + 2650.0, Y0 + 2550.0)
BLOCK_W, BLOCK_H = 140.0, 110.0  # street grid spacing (block + street)
INDUSTRY_X = X0 + 2150.0  # east of this: Gewerbegebiet


@dataclass(frozen=True)
class Street:
    """A street centre line with its OSM-like class, width and name."""

    geometry: LineString
    cls: str
    width: float
    name: str


@dataclass
class Block:
    """A plot of land between streets, with its ALKIS land use and quarter type."""

    geometry: Polygon
    nutzart: str
    quarter: str  # altstadt | apartments | rowhouses | detached | industry | park | school | ...
    name: str = ""
    funktion: str = ""


def boundary(rng: np.random.Generator) -> Polygon:
    """A rounded, slightly irregular municipal boundary of about 3 × 3 km."""
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    radius = 1.0 + rng.normal(0, 0.025, angles.size).cumsum() * 0.3
    radius -= np.linspace(0, radius[-1] - radius[0], angles.size)  # close smoothly
    # a superellipse (|x|^4 + |y|^4 = 1) is square-ish with rounded corners
    c, s = np.cos(angles), np.sin(angles)
    shape = (np.abs(c) ** 4 + np.abs(s) ** 4) ** -0.25
    xs = X0 + SIZE / 2 + (SIZE / 2 - 30) * radius * shape * c
    ys = Y0 + SIZE / 2 + (SIZE / 2 - 30) * radius * shape * s
    return shapely.make_valid(Polygon(np.column_stack([xs, ys]))).buffer(0)


def river_line() -> LineString:
    """The river's centre line: west to east, gently meandering south of the core."""
    xs = np.linspace(X0 - 100, X0 + SIZE + 100, 200)
    ys = Y0 + 930 + 110 * np.sin((xs - X0) / 2800 * 2 * np.pi) + 40 * np.sin((xs - X0) / 700)
    return LineString(np.column_stack([xs, ys]))


def streets() -> list[Street]:
    """Main roads crossing the whole area plus the settlement's street grid."""
    cx, cy = CENTRE
    minx, miny, maxx, maxy = SETTLEMENT
    result = [
        Street(LineString([(X0 - 50, cy), (X0 + SIZE + 50, cy)]), "primary", 16.0, "Hauptstraße"),
        Street(
            LineString([(cx, Y0 - 50), (cx, Y0 + SIZE + 50)]), "secondary", 14.0, "Bahnhofstraße"
        ),
    ]
    names = iter(
        [
            "Lindenstraße",
            "Gartenstraße",
            "Schulstraße",
            "Am Anger",
            "Kirchweg",
            "Mühlweg",
            "Birkenweg",
            "Eichendorffstraße",
            "Goethestraße",
            "Schillerstraße",
            "Am Sonnenhang",
            "Ahornweg",
            "Rosenstraße",
            "Fliederweg",
            "Marktgasse",
            "Brunnengasse",
            "Amselweg",
            "Finkenweg",
            "Drosselweg",
            "Meisenweg",
            "Industriestraße",
            "Gewerbering",
            "Bergstraße",
            "Waldweg",
            "Feldstraße",
            "Kastanienallee",
            "Ulmenweg",
            "Hopfengarten",
            "Kellerberg",
            "Zur Mühle",
        ]
    )
    for x in np.arange(minx, maxx + 1, BLOCK_W):
        if abs(x - cx) > 30:
            cls = "service" if x > INDUSTRY_X else "residential"
            result.append(Street(LineString([(x, miny), (x, maxy)]), cls, 10.0, next(names)))
    for y in np.arange(miny, maxy + 1, BLOCK_H):
        if abs(y - cy) > 30:
            result.append(
                Street(LineString([(minx, y), (maxx, y)]), "residential", 10.0, next(names))
            )
    result.append(
        Street(LineString([(cx + 25, cy - 520), (cx + 600, cy - 560)]), "footway", 3.0, "Uferweg")
    )
    return result


def _quarter(block: Polygon, index: int) -> Block:
    """Decide what a grid block becomes, from its distance to the core and position."""
    cx, cy = CENTRE
    x, y = block.centroid.x, block.centroid.y
    distance = np.hypot(x - cx, y - cy)
    special = {
        # fixed roles for a few blocks, by their position relative to the centre
        (1, 1): Block(block, "AX_Platz", "market", "Marktplatz", "Marktplatz"),
        (-3, 2): Block(
            block, "AX_SportFreizeitUndErholungsflaeche", "park", "Stadtgarten", "Grünanlage"
        ),
        (2, 3): Block(
            block, "AX_SportFreizeitUndErholungsflaeche", "park", "Lindenanger", "Grünanlage"
        ),
        (-2, -2): Block(
            block, "AX_FlaecheBesondererFunktionalerPraegung", "school", "Grundschule Musterstadt"
        ),
        (3, -1): Block(
            block, "AX_FlaecheBesondererFunktionalerPraegung", "school", "Mittelschule am Anger"
        ),
        (-6, 4): Block(block, "AX_Friedhof", "cemetery", "Friedhof", "Friedhof"),
        (-6, -3): Block(
            block, "AX_SportFreizeitUndErholungsflaeche", "sport", "Sportplatz TSV", "Sportanlage"
        ),
        (-1, 5): Block(
            block, "AX_FlaecheBesondererFunktionalerPraegung", "care", "Seniorenheim Am Sonnenhang"
        ),
    }
    key = (int(np.floor((x - cx) / BLOCK_W + 0.5)), int(np.floor((y - cy) / BLOCK_H + 0.5)))
    if key in special:
        return special[key]
    if x > INDUSTRY_X:
        return Block(block, "AX_IndustrieUndGewerbeflaeche", "industry", "Gewerbegebiet Ost")
    if distance < 260:
        return Block(block, "AX_FlaecheGemischterNutzung", "altstadt", "Altstadt")
    if distance < 560:
        kind = "apartments" if index % 3 else "rowhouses"
        return Block(block, "AX_Wohnbauflaeche", kind)
    return Block(block, "AX_Wohnbauflaeche", "detached")


def blocks(street_area: BaseGeometry, river_area: BaseGeometry) -> list[Block]:
    """Grid blocks inside the settlement, each with its quarter type."""
    minx, miny, maxx, maxy = SETTLEMENT
    area = shapely.box(minx - 5, miny - 5, maxx + 5, maxy + 5).difference(street_area)
    area = area.difference(river_area.buffer(60))
    parts = [p for p in shapely.get_parts(area) if p.area > 2000]
    parts.sort(key=lambda p: (round(p.centroid.y), round(p.centroid.x)))
    return [_quarter(p, i) for i, p in enumerate(parts)]


def street_area(items: list[Street]) -> BaseGeometry:
    """The sealed street space: each centre line buffered to its width."""
    return shapely.union_all([s.geometry.buffer(s.width / 2, cap_style="flat") for s in items])


def landuse(
    town: Polygon, river: BaseGeometry, roads: BaseGeometry, plots: list[Block]
) -> list[tuple[Polygon, str, str, str]]:
    """A planar partition of the boundary into (polygon, nutzart, name, funktion).

    Pieces are cut in priority order (water, streets, blocks, river park, meadows,
    forest, fields), each minus everything before it, so there are no overlaps and the
    rest of the boundary is always covered.
    """
    pieces: list[tuple[BaseGeometry, str, str, str]] = [
        (river, "AX_Fliessgewaesser", "Mühlbach", ""),
        (roads, "AX_Strassenverkehr", "", ""),
    ]
    pieces += [(b.geometry, b.nutzart, b.name, b.funktion) for b in plots]
    cx, cy = CENTRE
    park = shapely.box(cx - 380, Y0 + 800, cx + 420, cy - 300).intersection(river.buffer(190))
    pieces.append((park, "AX_SportFreizeitUndErholungsflaeche", "Flusspark", "Grünanlage"))
    pieces.append((river.buffer(70), "AX_Landwirtschaft", "Auenwiesen", "Grünland"))
    pieces.append((shapely.box(X0, Y0 + 2620, X0 + SIZE, Y0 + SIZE), "AX_Wald", "Bürgerwald", ""))
    for fx in np.arange(X0, X0 + SIZE, 500.0):
        for fy in np.arange(Y0, Y0 + SIZE, 400.0):
            pieces.append(
                (shapely.box(fx, fy, fx + 500, fy + 400), "AX_Landwirtschaft", "", "Ackerland")
            )
    taken: BaseGeometry = Polygon()
    result = []
    for geometry, nutzart, name, funktion in pieces:
        piece = geometry.intersection(town).difference(taken)
        taken = taken.union(piece)
        for part in shapely.get_parts(piece):
            if part.geom_type == "Polygon" and part.area > 1.0:
                result.append((part, nutzart, name, funktion))
    return result


def districts(town: Polygon) -> list[tuple[str, BaseGeometry]]:
    """Five Ortsteile tiling the boundary."""
    cx, cy = CENTRE
    below_river = shapely.Polygon(
        [*river_line().coords, (X0 + SIZE + 100, Y0 - 200), (X0 - 100, Y0 - 200)]
    )
    shapes = [
        ("Altstadt", shapely.Point(cx, cy).buffer(300)),
        (
            "Gewerbegebiet Ost",
            shapely.box(INDUSTRY_X - 40, Y0 + 1000, X0 + SIZE + 100, Y0 + SIZE + 100),
        ),
        ("Südufer", below_river),
        ("Am Fluss", shapely.box(X0 - 100, Y0 - 200, X0 + SIZE + 100, cy)),
        ("Nord", shapely.box(X0 - 100, Y0 - 200, X0 + SIZE + 100, Y0 + SIZE + 100)),
    ]
    taken: BaseGeometry = Polygon()
    result = []
    for name, shape in shapes:
        piece = shape.intersection(town).difference(taken)
        taken = taken.union(piece)
        result.append((name, piece))
    return result
