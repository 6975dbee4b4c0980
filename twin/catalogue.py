"""Layer metadata: what a layer is, who owns it, under which licence, and where it came from.

The catalogue is how an administration answers "where does this number come from?".
Every imported layer has one :class:`CatalogueEntry`, written in the same transaction as
its data, so metadata and data never disagree.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from twin.config import Classification, LayerConfig, LayerKind, LocalText


class FeatureIssue(BaseModel):
    """One finding about one feature; ``action`` says what the import did about it."""

    feature_id: str
    problem: str
    action: str


class ImportReport(BaseModel):
    """What happened to the features of one import (shown by the CLI and the admin view)."""

    layer: str
    read: int = 0
    imported: int = 0
    repaired: int = 0
    rejected: int = 0
    outside: int = 0
    issues: list[FeatureIssue] = Field(default_factory=list)

    raster: str | None = Field(None, description="Grid of an imported raster, for the summary.")

    def summary(self) -> str:
        """One line for the terminal."""
        if self.raster:
            return f"{self.layer}: raster imported, {self.raster}"
        return (
            f"{self.layer}: {self.imported} of {self.read} features imported, "
            f"{self.repaired} repaired, {self.rejected} rejected, {self.outside} outside boundary"
        )


class RasterInfo(BaseModel):
    """Grid of a stored raster layer."""

    width: int
    height: int
    bands: int
    resolution: tuple[float, float]
    dtype: str
    nodata: float | None = None


class CatalogueEntry(BaseModel):
    """Metadata and provenance of one stored layer."""

    name: str
    title: LocalText
    description: LocalText | None = None
    kind: LayerKind
    classification: Classification
    owner: str
    licence: str
    source: str
    attribution: str = ""
    source_file: str
    checksum: str = Field(description="SHA-256 of the source file.")
    imported_at: datetime
    imported_by: str
    feature_count: int = 0
    bbox: tuple[float, float, float, float] | None = Field(
        None, description="minx, miny, maxx, maxy in the municipality's CRS."
    )
    geometry_type: str | None = None
    time_field: str | None = None
    time_extent: tuple[str | None, str | None] | None = None
    storage: str = Field("vector", description="'vector' (GeoPackage table) or 'raster' (COG).")
    raster: RasterInfo | None = None
    report: ImportReport | None = None

    @classmethod
    def from_config(
        cls, layer: LayerConfig, *, source_file: str, checksum: str, actor: str
    ) -> CatalogueEntry:
        """Start an entry from the layer's config; counts and extent are filled at import."""
        return cls(
            name=layer.name,
            title=layer.title,
            description=layer.description,
            kind=layer.kind,
            classification=layer.classification,
            owner=layer.owner,
            licence=layer.licence,
            source=layer.source,
            attribution=layer.attribution,
            source_file=source_file,
            checksum=checksum,
            imported_at=datetime.now().astimezone(),
            imported_by=actor,
            time_field=layer.time_field,
            storage="raster" if layer.kind == LayerKind.RASTER else "vector",
        )
