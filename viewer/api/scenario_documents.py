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
a browser that has the file gets 304; ``no-cache`` because the newest version can
change under the same URL, and ``private`` except for the maps of published scenarios
(a brief lists the sources the caller's role may read). Making them is CPU work, so the
routes are plain functions, run in FastAPI's threadpool.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from scenarios.brief import write_brief
from scenarios.compare import compare
from scenarios.heat_maps import save_map
from scenarios.heat_outputs import atomic_path
from scenarios.heat_twin import TwinHeat, cached_twin_heat, difference
from scenarios.landuse import cached_landuse_twin
from scenarios.landuse_maps import CAPTIONS, save_change_map
from scenarios.model import Scenario, base_state
from twin.access import ANONYMOUS, may_read, may_read_scenario
from twin.catalogue import CatalogueEntry
from twin.config import Classification, Lang
from twin.errors import UnknownFeatureError
from twin.workspace import Workspace
from viewer.api.http_cache import etag_matches
from viewer.api.scenarios import Caller, CallerDep, visible_scenario
from viewer.deps import WorkspaceDep

router = APIRouter(tags=["scenario documents"])

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

_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
#: matplotlib's pyplot is not thread-safe: one map or brief is drawn at a time.
_DRAWING = threading.Lock()


def documents_folder(workspace: Workspace, slug: str) -> Path:
    """Where a municipality's scenario documents are cached."""
    return workspace.folder(slug) / DOCUMENTS_FOLDER


def heat_model(caller: Caller) -> TwinHeat:
    """The municipality's heat model, shared while its base state is unchanged."""
    book = caller.book
    state = base_state(book.config, book.store)
    return cached_twin_heat(book.config, book.store, store_version=float(int(state[:13], 16)))


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
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(target, threading.Lock())
    with lock:
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


def _headers(scenario: Scenario, etag: str, *, same_for_all: bool) -> dict[str, str]:
    """Caching headers; ``public`` only for a published scenario's role-independent files."""
    public = same_for_all and may_read_scenario(ANONYMOUS, scenario.record.status)
    return {
        "ETag": f'"{etag}"',
        "Cache-Control": f"{'public' if public else 'private'}, no-cache",
        "Vary": "Authorization, Cookie",
    }


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
    parameters: dict[str, object] = book.config.landuse.model_dump(exclude={"factors", "targets"})
    if model is not None:
        parameters |= {f"heat.{k}": v for k, v in asdict(model.parameters).items()} | {
            "heat.cell_size": model.grid.cell_size
        }
    write_brief(
        comparison,
        folder,
        municipality=book.config.name,
        sources=_sources(caller),
        landuse=landuse,
        heat=model,
        parameters=parameters,
        base_state=base_state(book.config, book.store),
        lang=lang,
        pdf=pdf,
    )
    _inline_images(folder / "brief.html")


def _sources(caller: Caller) -> list[CatalogueEntry]:
    """The layers the brief names as its sources: those the caller may read."""
    return [e for e in caller.book.store.layers() if may_read(caller.principal, e.classification)]


def _brief(
    request: Request,
    caller: Caller,
    workspace: Workspace,
    slug: str,
    scenario: Scenario,
    *,
    lang: Lang,
    heat: bool,
    fmt: str,
) -> Response:
    """The cached brief (made now if missing), or 304 if the client has it."""
    audience = sorted(c.value for c in Classification if may_read(caller.principal, c))
    folder = _cache_path(
        caller, documents_folder(workspace, slug), scenario, "brief", lang, heat, audience
    )
    target = folder / f"brief.{fmt}"
    headers = _headers(scenario, f"{folder.name}-{fmt}", same_for_all=False)  # sources by role
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    _made_once(
        target,
        lambda: _write_brief(caller, scenario, folder, lang=lang, heat=heat, pdf=fmt == "pdf"),
        entry=folder,
    )
    stem = scenario.ref.replace("@", "-v")
    name = f"{slug}-{stem}-{'entscheidungsvorlage' if lang == 'de' else 'brief'}"
    return FileResponse(
        target,
        media_type="application/pdf" if fmt == "pdf" else "text/html; charset=utf-8",
        headers=headers,
        filename=f"{name}.{fmt}",
        content_disposition_type="attachment" if fmt == "pdf" else "inline",
    )


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/brief.pdf",
    summary="Decision brief of a scenario (PDF)",
    response_class=FileResponse,
)
def brief_pdf(
    slug: str,
    scenario_id: str,
    request: Request,
    caller: CallerDep,
    workspace: WorkspaceDep,
    version: VersionQuery = None,
    lang: LangQuery = "de",
    heat: HeatQuery = False,
) -> Response:
    """Indicators, § 17 findings, maps, edits and provenance of one scenario version, as PDF."""
    scenario = visible_scenario(caller, scenario_id, version)
    return _brief(request, caller, workspace, slug, scenario, lang=lang, heat=heat, fmt="pdf")


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/brief.html",
    summary="Decision brief of a scenario (HTML)",
    response_class=FileResponse,
)
def brief_html(
    slug: str,
    scenario_id: str,
    request: Request,
    caller: CallerDep,
    workspace: WorkspaceDep,
    version: VersionQuery = None,
    lang: LangQuery = "de",
    heat: HeatQuery = False,
) -> Response:
    """The same brief as one HTML file (its maps inside as data URLs)."""
    scenario = visible_scenario(caller, scenario_id, version)
    return _brief(request, caller, workspace, slug, scenario, lang=lang, heat=heat, fmt="html")


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
    response_class=FileResponse,
)
def scenario_map(
    slug: str,
    scenario_id: str,
    kind: str,
    request: Request,
    caller: CallerDep,
    workspace: WorkspaceDep,
    version: VersionQuery = None,
    lang: LangQuery = "de",
) -> Response:
    """A scenario's map as PNG.

    ``changes``: the land use and buildings its edits change; ``heat``: the air
    temperature on a hot day, scenario minus base (K; blue cooler, red warmer).
    """
    scenario = visible_scenario(caller, scenario_id, version)
    if kind not in MAP_KINDS:
        raise UnknownFeatureError(
            f"there is no map {kind!r} of a scenario", hint=f"Maps: {', '.join(MAP_KINDS)}."
        )
    if not scenario.edits:
        raise UnknownFeatureError(
            f"scenario {scenario.ref} has no edits, so it has no {kind} map",
            hint="Maps show what a scenario changes.",
        )
    path = _cache_path(caller, documents_folder(workspace, slug), scenario, "map", kind, lang)
    target = path.with_name(f"{path.name}.png")
    headers = _headers(scenario, target.stem, same_for_all=True)
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)

    _made_once(target, lambda: _write_map(caller, scenario, kind, lang, target), entry=target)
    return FileResponse(
        target,
        media_type="image/png",
        headers=headers,
        filename=f"{slug}-{scenario.ref.replace('@', '-v')}-{kind}.png",
        content_disposition_type="inline",
    )
