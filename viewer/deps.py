"""FastAPI dependencies: the workspace, and one municipality's twin as the caller may see it.

The workspace is put on ``app.state`` by :func:`viewer.app.create_app` and read through
:func:`get_workspace`, which tests can override. :class:`TwinView` is a store seen
through the access policy (:mod:`twin.access`) for one caller: only the vector layers
their role may read exist for them, every other layer answers exactly like a missing
one (404), so that the API does not even reveal the names of layers it hides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import geopandas as gpd
from fastapi import Depends, Request

from twin.access import Principal, audit_personal_read, may_read
from twin.catalogue import CatalogueEntry
from twin.config import MunicipalityConfig
from twin.errors import UnknownLayerError, UnknownMunicipalityError
from twin.store.base import FeaturePage, MunicipalityRecord, TwinStore
from twin.workspace import Workspace
from viewer.auth import request_principal


async def get_workspace(request: Request) -> Workspace:
    """Return the workspace the app was created with.

    ``async`` only so that FastAPI calls it on the event loop: a plain function would be
    sent to a worker thread and back on every request, which costs more than it does.
    """
    workspace: Workspace = request.app.state.workspace
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


@dataclass(frozen=True)
class TwinView:
    """One municipality's store as one caller may see it."""

    store: TwinStore
    record: MunicipalityRecord
    config: MunicipalityConfig
    principal: Principal
    catalogue: Callable[[], Mapping[str, CatalogueEntry]] | None = None
    """The store's catalogue as it is at each call, by name (:meth:`Workspace.snapshot`);
    without it, the store is asked each time."""

    def layers(self) -> list[CatalogueEntry]:
        """Vector layers the caller may read, i.e. their OGC API feature collections."""
        return [entry for entry in self._catalogue().values() if self._readable(entry)]

    def layer(self, name: str) -> CatalogueEntry:
        """Return a readable vector layer; raise ``UnknownLayerError`` for any other name."""
        entry = self._catalogue().get(name)
        if entry is None or not self._readable(entry):
            raise UnknownLayerError(
                f"municipality {self.record.slug!r} has no collection {name!r}",
                hint="The list of collections is at ./collections.",
            )
        return entry

    def read_features(self, entry: CatalogueEntry, **query: Any) -> FeaturePage:
        """A page of a readable layer's features (``query`` as for the store), audited if personal."""
        audit_personal_read(self.store, self.principal, entry.classification, f"{entry.name} items")
        return self.store.read_features(entry.name, **query)

    def read_feature(self, entry: CatalogueEntry, feature_id: str) -> gpd.GeoDataFrame:
        """One feature of a readable layer, audited if the layer is personal."""
        audit_personal_read(
            self.store, self.principal, entry.classification, f"{entry.name} {feature_id}"
        )
        return self.store.read_feature(entry.name, feature_id)

    def _catalogue(self) -> Mapping[str, CatalogueEntry]:
        if self.catalogue is None:
            return {entry.name: entry for entry in self.store.layers()}
        return self.catalogue()

    def _readable(self, entry: CatalogueEntry) -> bool:
        return entry.storage == "vector" and may_read(self.principal, entry.classification)


def open_store(workspace: Workspace, slug: str) -> TwinStore:
    """The store of municipality ``slug`` (404 if there is none).

    The message names no server path (the workspace's own error does, for the CLI).
    """
    if not workspace.has(slug):
        raise UnknownMunicipalityError(
            f"there is no municipality {slug!r}", hint="The portal at / lists them all."
        )
    return workspace.store(slug)


async def get_twin_view(slug: str, workspace: WorkspaceDep, request: Request) -> TwinView:
    """Open municipality ``slug`` for this request's caller (404 if there is none).

    Record, config and catalogue come from the workspace's caches, which it checks
    against the store and the config file at every call: a request costs no parsing.
    """
    store = open_store(workspace, slug)
    record = workspace.snapshot(slug).record
    config = workspace.config(slug, check_files=False)
    principal = await request_principal(request, store, config)
    return TwinView(store, record, config, principal, lambda: workspace.snapshot(slug).layers)


TwinViewDep = Annotated[TwinView, Depends(get_twin_view)]
