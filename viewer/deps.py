"""FastAPI dependencies: the workspace, and one municipality's store seen by the public.

The workspace is put on ``app.state`` by :func:`viewer.app.create_app` and read through
:func:`get_workspace`, which tests can override. :class:`PublicTwin` is the citizen
view's policy over a store: only ``public`` vector layers exist for it, every other
layer answers exactly like a missing one (404), so that the API does not even reveal the
names of council or internal layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from twin.catalogue import CatalogueEntry
from twin.config import Classification
from twin.errors import UnknownLayerError, UnknownMunicipalityError
from twin.store.base import MunicipalityRecord, TwinStore
from twin.workspace import Workspace


def get_workspace(request: Request) -> Workspace:
    """Return the workspace the app was created with."""
    workspace: Workspace = request.app.state.workspace
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


@dataclass(frozen=True)
class PublicTwin:
    """One municipality's store as the public may see it."""

    store: TwinStore
    record: MunicipalityRecord

    def layers(self) -> list[CatalogueEntry]:
        """Public vector layers, i.e. the OGC API feature collections, by name."""
        return [entry for entry in self.store.layers() if _is_public_collection(entry)]

    def layer(self, name: str) -> CatalogueEntry:
        """Return a public vector layer; raise ``UnknownLayerError`` for any other name."""
        try:
            entry = self.store.layer(name)
        except UnknownLayerError:
            entry = None
        if entry is None or not _is_public_collection(entry):
            raise UnknownLayerError(
                f"municipality {self.record.slug!r} has no collection {name!r}",
                hint="The list of collections is at ./collections.",
            )
        return entry


def _is_public_collection(entry: CatalogueEntry) -> bool:
    return entry.classification == Classification.PUBLIC and entry.storage == "vector"


def get_public_twin(slug: str, workspace: WorkspaceDep) -> PublicTwin:
    """Open the store of municipality ``slug`` (404 via ``UnknownMunicipalityError``).

    The message names no server path (the workspace's own error does, for the CLI).
    """
    if slug not in workspace.slugs():
        raise UnknownMunicipalityError(
            f"there is no municipality {slug!r}", hint="The portal at / lists them all."
        )
    store = workspace.store(slug)
    return PublicTwin(store=store, record=store.municipality())


PublicTwinDep = Annotated[PublicTwin, Depends(get_public_twin)]
