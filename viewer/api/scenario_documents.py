"""A scenario's documents over HTTP: the decision brief (PDF, HTML) and its maps (PNG).

``/{slug}/api/scenarios/{id}/brief.pdf`` and ``brief.html`` are the decision brief of one
scenario version (:mod:`scenarios.brief`, ``lang``, ``heat``), ``maps/changes.png`` and
``maps/heat.png`` its land-use change map and heat difference map. A scenario is checked
exactly as the scenario API checks a read: one the caller may not see answers 404 like a
missing one. The brief lists only the data sources the caller may read.

Every document is made once and kept in the municipality's workspace folder
(``documents/``) under a name made of the base state, the scenario version and what was
asked; a new version or a re-import gives a new name, and making a file of a new base
state drops those of older ones. Files are written atomically. The name is the ETag, so
a browser that has the file gets 304 (:func:`viewer.api.http_cache.serve_generated`);
``no-cache`` because the newest version can change under the same URL, and ``private``
except for the maps of published scenarios (a brief lists the sources the caller's role
may read). Making them is CPU work, so the routes are plain functions, run in FastAPI's
threadpool. The dependencies :data:`FileRequestDep` and :data:`ScenarioVersionDep` serve
the render routes too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from scenarios.brief import brief_parameters, write_brief
from scenarios.compare import compare
from scenarios.heat_maps import save_map
from scenarios.heat_outputs import atomic_path
from scenarios.heat_twin import TwinHeat, difference, shared_twin_heat
from scenarios.landuse import cached_landuse_twin
from scenarios.landuse_maps import CAPTIONS, save_change_map
from scenarios.model import Scenario, base_state
from twin.access import ANONYMOUS, may_read, may_read_scenario
from twin.catalogue import CatalogueEntry
from twin.config import Classification, Lang
from twin.errors import UnknownFeatureError
from twin.locks import lock_for
from twin.workspace import Workspace
from viewer.api.http_cache import GeneratedFile, serve_generated
from viewer.api.scenarios import Caller, CallerDep, visible_scenario
from viewer.deps import WorkspaceDep

router = APIRouter(tags=["scenario documents"], default_response_class=FileResponse)

DOCUMENTS_FOLDER: Final = "documents"
#: Part of every file's name: raise it when the documents change, to drop the cached ones.
DOCUMENTS_VERSION: Final = 1
MAP_KINDS: Final = ("changes", "heat")

VersionQuery = Annotated[
    int | None, Query(ge=1, description="Scenario version [default: the newest].")
]
LangQuery = Annotated[Lang, Query(description="Language of the document.")]
HeatQuery = Annotated[
    bool, Query(description="Also run the heat model: temperatures and the heat difference map.")
]

#: Who asks matters to every document (the scenarios and sources a role may see).
VARY: Final = "Authorization, Cookie"

#: matplotlib's pyplot is not thread-safe: one map or brief is drawn at a time.
_DRAWING = threading.Lock()


@dataclass(frozen=True)
class FileRequest:
    """A request for one of a municipality's generated files, and who asks.

    The routes here and in :mod:`viewer.api.renders` all need these four; one dependency
    gives them, so that each route declares only its own parameters.
    """

    request: Request
    caller: Caller
    workspace: Workspace
    slug: str

    def file_name(self, scenario: Scenario | None, suffix: str, *what: str) -> str:
        """The name offered to the browser: municipality, scenario version (or base), what."""
        ref = scenario.ref.replace("@", "-v") if scenario is not None else "base"
        return "-".join((self.slug, ref, *what)) + f".{suffix}"


def file_request(
    request: Request, caller: CallerDep, workspace: WorkspaceDep, slug: str
) -> FileRequest:
    """The :class:`FileRequest` of a route under ``/{slug}/api``."""
    return FileRequest(request, caller, workspace, slug)


FileRequestDep = Annotated[FileRequest, Depends(file_request)]


def scenario_version(caller: CallerDep, scenario_id: str, version: VersionQuery = None) -> Scenario:
    """The scenario version asked for; one the caller may not see is 404 like a missing one."""
    return visible_scenario(caller, scenario_id, version)


ScenarioVersionDep = Annotated[Scenario, Depends(scenario_version)]


@dataclass(frozen=True)
class BriefOptions:
    """What a brief is made in: its language, and whether with the (slow) heat model."""

    lang: Lang
    heat: bool


def brief_options(lang: LangQuery = "de", heat: HeatQuery = False) -> BriefOptions:
    """The query of both brief routes (PDF and HTML)."""
    return BriefOptions(lang, heat)


BriefDep = Annotated[BriefOptions, Depends(brief_options)]


def published(scenario: Scenario | None) -> bool:
    """Whether everybody may see ``scenario`` (or the base state), so shared caches may keep it."""
    return scenario is None or may_read_scenario(ANONYMOUS, scenario.record.status)


def documents_folder(workspace: Workspace, slug: str) -> Path:
    """Where a municipality's scenario documents are cached."""
    return workspace.folder(slug) / DOCUMENTS_FOLDER


def heat_model(caller: Caller) -> TwinHeat:
    """The municipality's heat model, shared while its base state is unchanged."""
    return shared_twin_heat(caller.book.config, caller.book.store)


def _cache_path(caller: Caller, folder: Path, scenario: Scenario, *what: object) -> Path:
    """A document's cache path: base state, scenario version and ``what`` in its name."""
    state = base_state(caller.book.config, caller.book.store)
    key = json.dumps([DOCUMENTS_VERSION, state, scenario.ref, *what], sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return folder / f"{state[:12]}-{scenario.ref.replace('@', '-v')}-{digest}"


def _made_once(target: Path, make: Callable[[], None], *, entry: Path) -> None:
    """Run ``make`` unless ``target`` exists, one thread at a time per target.

    ``entry`` is the file or folder of the documents folder that holds ``target``; after
    making it, the entries of older base states (other name prefixes) are dropped.
    """
    with lock_for(target):
        if target.exists():
            return
        with _DRAWING:
            make()
    state = entry.name.partition("-")[0]
    for old in entry.parent.iterdir():
        if not old.name.startswith((state, ".")):
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)


def _inline_images(page: Path) -> None:
    """Put the brief's maps into its HTML as data URLs, so that one file holds everything."""

    def embed(match: re.Match[str]) -> str:
        image = page.parent / match.group(1)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    html = re.sub(r'src="([^"/:]+\.png)"', embed, page.read_text(encoding="utf-8"))
    with atomic_path(page) as temporary:
        temporary.write_text(html, encoding="utf-8")


def _write_brief(
    caller: Caller, scenario: Scenario, folder: Path, *, lang: Lang, heat: bool, pdf: bool
) -> None:
    book = caller.book
    landuse = cached_landuse_twin(book.store, book.config)
    model = heat_model(caller) if heat else None
    comparison = compare(landuse, [scenario], targets=book.config.landuse.targets, heat=model)
    write_brief(
        comparison,
        folder,
        municipality=book.config.name,
        sources=_sources(caller),
        landuse=landuse,
        heat=model,
        parameters=brief_parameters(book.config.landuse, model),
        base_state=base_state(book.config, book.store),
        lang=lang,
        pdf=pdf,
    )
    _inline_images(folder / "brief.html")


def _sources(caller: Caller) -> list[CatalogueEntry]:
    """The layers the brief names as its sources: those the caller may read."""
    return [e for e in caller.book.store.layers() if may_read(caller.principal, e.classification)]


def _brief(asked: FileRequest, scenario: Scenario, options: BriefOptions, fmt: str) -> Response:
    """The cached brief (made now if missing), or 304 if the client has it."""
    caller = asked.caller
    audience = sorted(c.value for c in Classification if may_read(caller.principal, c))
    documents = documents_folder(asked.workspace, asked.slug)
    lang, heat = options.lang, options.heat
    folder = _cache_path(caller, documents, scenario, "brief", lang, heat, audience)
    target = folder / f"brief.{fmt}"
    file = GeneratedFile(
        target,
        etag=f"{folder.name}-{fmt}",
        media_type="application/pdf" if fmt == "pdf" else "text/html; charset=utf-8",
        filename=asked.file_name(
            scenario, fmt, "entscheidungsvorlage" if lang == "de" else "brief"
        ),
        public=False,  # it lists the sources the caller's role may read
        vary=VARY,
        attachment=fmt == "pdf",
    )
    write = partial(_write_brief, caller, scenario, folder, lang=lang, heat=heat, pdf=fmt == "pdf")
    return serve_generated(asked.request, file, partial(_made_once, target, write, entry=folder))


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/brief.pdf", summary="Decision brief of a scenario (PDF)"
)
def brief_pdf(asked: FileRequestDep, scenario: ScenarioVersionDep, options: BriefDep) -> Response:
    """Indicators, § 17 findings, maps, edits and provenance of one scenario version, as PDF."""
    return _brief(asked, scenario, options, "pdf")


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/brief.html", summary="Decision brief of a scenario (HTML)"
)
def brief_html(asked: FileRequestDep, scenario: ScenarioVersionDep, options: BriefDep) -> Response:
    """The same brief as one HTML file (its maps inside as data URLs)."""
    return _brief(asked, scenario, options, "html")


def _write_map(caller: Caller, scenario: Scenario, kind: str, lang: Lang, target: Path) -> None:
    layers = cached_landuse_twin(caller.book.store, caller.book.config).layers
    caption = f"{CAPTIONS[lang][kind]}: {scenario.record.title}"
    if kind == "changes":
        save_change_map(layers, scenario.edits, target, title=caption, language=lang)
        return
    model = heat_model(caller)
    change = difference(model.scenario(scenario.edits).result, model.base)
    save_map(
        change,
        model.grid,
        target,
        kind="difference",
        title=caption,
        language=lang,
        outline=layers.boundary,
    )


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/maps/{kind}.png",
    summary="Map of a scenario: its changes, or the temperature change it makes",
)
def scenario_map(
    kind: str, asked: FileRequestDep, scenario: ScenarioVersionDep, lang: LangQuery = "de"
) -> Response:
    """A scenario's map as PNG.

    ``changes``: the land use and buildings its edits change; ``heat``: the air
    temperature on a hot day, scenario minus base (K; blue cooler, red warmer).
    """
    if kind not in MAP_KINDS:
        raise UnknownFeatureError(
            f"there is no map {kind!r} of a scenario", hint=f"Maps: {', '.join(MAP_KINDS)}."
        )
    if not scenario.edits:
        raise UnknownFeatureError(
            f"scenario {scenario.ref} has no edits, so it has no {kind} map",
            hint="Maps show what a scenario changes.",
        )
    folder = documents_folder(asked.workspace, asked.slug)
    path = _cache_path(asked.caller, folder, scenario, "map", kind, lang)
    target = path.with_name(f"{path.name}.png")
    file = GeneratedFile(
        target,
        etag=target.stem,
        media_type="image/png",
        filename=asked.file_name(scenario, "png", kind),
        public=published(scenario),  # a map shows the same to every role
        vary=VARY,
    )
    write = partial(_write_map, asked.caller, scenario, kind, lang, target)
    return serve_generated(asked.request, file, partial(_made_once, target, write, entry=target))
