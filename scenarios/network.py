"""Walking distances along the street network, for "residents within 300 m of a park".

Air-line distance flatters places cut off by rivers, rail lines or fenced sites; a planner
asks how far people actually walk. The street layer is noded (lines split where they
cross), densified to a node every :data:`NODE_SPACING_M`, and turned into a sparse graph.
A green space is entered from every street node within :data:`ENTRANCE_M` of it; one
Dijkstra run from a virtual source joined to all entrances (at their distance to the
green) gives every node its walking distance to the nearest green space, explored only
up to the limit. A building walks to its nearest street node first (air-line).

Crossings of lines count as junctions, so a bridge over a street is taken as a crossing:
the usual simplification of street layers without levels.
"""

from __future__ import annotations

from functools import cached_property
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

#: Street nodes at most this far apart (m), so a building is never far from one.
NODE_SPACING_M: Final = 25.0
#: A street node this close to a green space (m) is an entrance to it.
ENTRANCE_M: Final = 30.0


class StreetNetwork:
    """The street layer as a graph of nodes (coordinates) and walkable edges."""

    def __init__(self, streets: gpd.GeoSeries) -> None:
        lines = shapely.get_parts(shapely.union_all(streets.to_numpy()))  # split at crossings
        lines = shapely.segmentize(lines[shapely.get_type_id(lines) == 1], NODE_SPACING_M)
        coords, line = shapely.get_coordinates(lines, return_index=True)
        nodes, node = np.unique(np.round(coords, 2), axis=0, return_inverse=True)
        same_line = line[1:] == line[:-1]
        start, end = node[:-1][same_line], node[1:][same_line]
        length = np.hypot(*(coords[1:][same_line] - coords[:-1][same_line]).T)
        self.nodes = nodes
        self.size = len(nodes)
        # one extra node (the last) is the virtual source joined to a state's entrances
        self._edges = (
            np.concatenate([start, end]),
            np.concatenate([end, start]),
            np.tile(length, 2),
        )

    @cached_property
    def _points(self) -> shapely.STRtree:
        return shapely.STRtree(np.asarray(shapely.points(self.nodes)))

    def distances(self, green: gpd.GeoSeries, limit: float) -> np.ndarray:
        """Walking distance from every node to the nearest of ``green`` (inf beyond ``limit``)."""
        if green.empty or self.size == 0:
            return np.full(self.size, np.inf)
        which, entrance = self._points.query(
            green.to_numpy(), predicate="dwithin", distance=ENTRANCE_M
        )
        gap = shapely.distance(green.to_numpy()[which], shapely.points(self.nodes[entrance]))
        source = self.size
        rows, cols, weights = self._edges
        graph = coo_matrix(
            (
                np.concatenate([weights, gap + 1e-9]),  # a zero weight would drop the edge
                (
                    np.concatenate([rows, np.full(len(entrance), source)]),
                    np.concatenate([cols, entrance]),
                ),
            ),
            shape=(self.size + 1, self.size + 1),
        ).tocsr()
        return dijkstra(graph, indices=source, limit=limit)[: self.size]

    def within(self, points: np.ndarray, node_distance: np.ndarray, limit: float) -> np.ndarray:
        """Which ``points`` reach a green space within ``limit`` m: to the nearest node, then along streets."""
        if len(points) == 0 or self.size == 0:
            return np.zeros(len(points), dtype=bool)
        (which, nearest), snap = self._points.query_nearest(
            points, return_distance=True, all_matches=False
        )
        walk = np.full(len(points), np.inf)
        walk[which] = snap + node_distance[nearest]
        return walk <= limit
