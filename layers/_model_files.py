"""Checks shared by the 3D model file readers: the file exists, its CRS is known.

Surveying offices declare the CRS of a CityGML or CityJSON model in their own ways
(AdV URNs, compound CRSs with a height system, bare EPSG codes); the twin works in 2D,
so every reader reduces the declaration to its horizontal part, and every error names
the file in a one-line message a planner can act on.
"""

from __future__ import annotations

from pathlib import Path

from pyproj import CRS

from layers.crs import parse_crs
from twin.errors import CRSError, DataFileError


def horizontal(crs: CRS) -> CRS:
    """The horizontal part of a (compound) CRS, as a plain EPSG CRS where it has a code."""
    horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
    code = horizontal.to_epsg()
    return CRS.from_epsg(code) if code else horizontal


def parse_file_crs(name: str | int, path: Path) -> CRS:
    """Horizontal CRS of a file's CRS declaration; a CRSError names the file."""
    try:
        return horizontal(parse_crs(name))
    except CRSError as exc:
        raise CRSError(f"{path}: {exc.message}", hint=exc.hint) from None


def one_line(text: str) -> str:
    """``text`` with all white space (newlines too) folded to single spaces."""
    return " ".join(text.split())


def require_file(path: Path) -> None:
    """Raise a DataFileError if ``path`` is not an existing file."""
    if not path.is_file():
        raise DataFileError(f"{path}: file not found", hint="Check the layer's path in the config.")
