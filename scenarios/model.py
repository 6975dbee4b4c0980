"""Scenarios: a base state of the twin plus an ordered list of edits, versioned.

Every save is a version (author, time, message); versions are never changed, so a
decision brief can cite exactly what it assessed, and any two versions or scenarios can
be compared edit by edit (:func:`diff`). A branch is a new scenario that starts from a
copy of another's version. The lifecycle is a small state machine (:data:`TRANSITIONS`):

    draft → under_deliberation → published → archived
      ↑            |     ↘ archived
      └────────────┘

Who may move a scenario is decided by the access policy; *which* moves exist is decided
here. Results are cached by the job runner (:mod:`scenarios.runner`) under a hash of the
process, its inputs (scenario references pinned to their version, or the edits
themselves), its parameters and :func:`base_state` (the config and every layer's file
hash and import time).

References are written ``ID`` (newest version) or ``ID@VERSION``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import shapely
from pyproj import CRS
from shapely.geometry import mapping, shape

from scenarios.edits import Edit, edit_from_feature
from twin.config import MunicipalityConfig
from twin.errors import InvalidRequestError, TwinError
from twin.store._scenarios import ScenarioRecord
from twin.store.base import TwinStore


class Status(StrEnum):
    """Where a scenario is in its lifecycle."""

    DRAFT = "draft"
    UNDER_DELIBERATION = "under_deliberation"
    PUBLISHED = "published"
    ARCHIVED = "archived"


TRANSITIONS: Final[dict[Status, frozenset[Status]]] = {
    Status.DRAFT: frozenset({Status.UNDER_DELIBERATION, Status.ARCHIVED}),
    Status.UNDER_DELIBERATION: frozenset({Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED}),
    Status.PUBLISHED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset(),
}
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
#: Coordinates are stored to the millimetre, so that equal edits hash equally.
_DECIMALS = 3


@dataclass(frozen=True)
class Scenario:
    """One version of a scenario, with its edits."""

    record: ScenarioRecord
    version: int
    author: str
    saved_at: str
    message: str
    edits: list[Edit]

    @property
    def ref(self) -> str:
        """``ID@VERSION``."""
        return f"{self.record.id}@{self.version}"


@dataclass(frozen=True)
class EditChange:
    """One line of a diff: an edit only in A (``removed``), only in B (``added``) or changed."""

    change: str
    number_a: int | None
    number_b: int | None
    summary: str


def edit_to_json(edit: Edit) -> dict[str, Any]:
    """An edit as a GeoJSON feature in the municipality's CRS (millimetre coordinates)."""
    geometry = shapely.set_precision(edit.geometry, 10**-_DECIMALS)
    return {"type": "Feature", "properties": edit.properties(), "geometry": mapping(geometry)}


def edits_to_json(edits: list[Edit]) -> str:
    """Canonical JSON of a list of edits: the same edits give the same text."""
    return json.dumps([edit_to_json(e) for e in edits], sort_keys=True, separators=(",", ":"))


def edits_from_json(text: str, boundary: Any) -> list[Edit]:
    """The edits of a stored version."""
    return [
        edit_from_feature(i, shape(f["geometry"]), f["properties"], boundary)
        for i, f in enumerate(json.loads(text))
    ]


def summary(edit: Edit) -> str:
    """One line that says what an edit does, for lists and diffs."""
    props = {k: v for k, v in edit.properties().items() if k not in ("edit", "label")}
    settings = ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in props.items()
    )
    area = (
        f"{edit.geometry.area / 1e4:.2f} ha" if edit.geometry.area else f"{edit.geometry.geom_type}"
    )
    label = f"“{edit.label}” " if edit.label else ""
    return f"{label}{edit.kind} {settings} ({area})".replace("  ", " ")


def diff(a: list[Edit], b: list[Edit]) -> list[EditChange]:
    """The edits that differ between two lists, in order (unchanged edits are left out).

    Edits are aligned by their content, so inserting an edit does not mark every later
    one as changed; a replaced edit of the same kind is reported as ``changed``.
    """
    keys_a = [json.dumps(edit_to_json(e), sort_keys=True) for e in a]
    keys_b = [json.dumps(edit_to_json(e), sort_keys=True) for e in b]
    changes: list[EditChange] = []
    matcher = difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            ea, eb = a[i1 + k], b[j1 + k]
            kind = "changed" if ea.kind == eb.kind else "replaced"
            changes.append(
                EditChange(kind, i1 + k + 1, j1 + k + 1, f"{summary(ea)} → {summary(eb)}")
            )
        changes += [
            EditChange("removed", i + 1, None, summary(a[i])) for i in range(i1 + pairs, i2)
        ]
        changes += [EditChange("added", None, j + 1, summary(b[j])) for j in range(j1 + pairs, j2)]
    return changes


def base_state(config: MunicipalityConfig, store: TwinStore) -> str:
    """SHA-256 over what a result depends on besides its inputs: the config and the layers.

    Each layer counts with its source file's checksum and its import time, so any
    re-import or config change gives a new state (and no cached result of the old one).
    """
    digest = hashlib.sha256(config.model_dump_json().encode())
    for entry in store.layers():
        digest.update(f"\n{entry.name}\t{entry.checksum}\t{entry.imported_at}".encode())
    return digest.hexdigest()


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``ID`` or ``ID@VERSION`` → (id, version or None for the newest)."""
    name, _, version = ref.partition("@")
    if version and not version.isdigit():
        raise InvalidRequestError(
            f"{ref!r}: the version after @ must be a number", hint="e.g. park-am-markt@2"
        )
    return name, int(version) if version else None


class ScenarioBook:
    """The scenarios of one municipality: create, save, load, branch, move, compare."""

    def __init__(self, store: TwinStore, config: MunicipalityConfig) -> None:
        self.store = store
        self.config = config
        self.crs = CRS.from_user_input(config.crs)
        self.boundary = store.municipality().boundary

    def create(
        self,
        scenario_id: str,
        edits: list[Edit],
        *,
        title: str,
        actor: str,
        description: str = "",
        message: str = "created",
        branch_of: str = "",
    ) -> Scenario:
        """A new draft scenario (``branch_of``: the ``ID@VERSION`` it was copied from)."""
        if not _ID.fullmatch(scenario_id):
            raise InvalidRequestError(
                f"{scenario_id!r} is not a valid scenario id",
                hint="Use lower-case letters, digits and hyphens, e.g. 'park-am-markt'.",
            )
        record = ScenarioRecord(
            scenario_id, title or scenario_id, description, Status.DRAFT, "", actor, branch_of, 1
        )
        self.store.create_scenario(record, edits_to_json(edits), actor=actor, message=message)
        return self.load(scenario_id)

    def branch(self, source: str, scenario_id: str, *, actor: str, title: str = "") -> Scenario:
        """A new draft that starts with a copy of ``source``'s edits."""
        original = self.load(source)
        return self.create(
            scenario_id,
            original.edits,
            title=title or f"{original.record.title} (Variante)",
            actor=actor,
            description=original.record.description,
            message=f"branched from {original.ref}",
            branch_of=original.ref,
        )

    def save(self, scenario_id: str, edits: list[Edit], *, actor: str, message: str) -> Scenario:
        """A new version with these edits; archived and published scenarios are frozen."""
        record = self.store.scenario(scenario_id)
        if record.status in (Status.PUBLISHED, Status.ARCHIVED):
            raise InvalidRequestError(
                f"scenario {scenario_id!r} is {record.status}; its edits can no longer change",
                hint="Branch it ('twin scenario new SLUG NEW --from ID') and edit the copy.",
            )
        self.store.save_scenario_version(
            scenario_id, edits_to_json(edits), actor=actor, message=message
        )
        return self.load(scenario_id)

    def load(self, ref: str) -> Scenario:
        """A scenario version by reference (``ID`` or ``ID@VERSION``)."""
        scenario_id, number = parse_ref(ref)
        record = self.store.scenario(scenario_id)
        versions = self.store.scenario_versions(scenario_id)
        chosen = (
            versions[-1]
            if number is None
            else next((v for v in versions if v.version == number), None)
        )
        if chosen is None:
            raise InvalidRequestError(
                f"scenario {scenario_id!r} has no version {number}",
                hint=f"It has versions 1-{versions[-1].version}.",
            )
        try:
            edits = edits_from_json(chosen.edits, self.boundary)
        except TwinError as error:
            raise TwinError(
                f"scenario {chosen.scenario_id}@{chosen.version} no longer fits the twin: {error.message}",
                hint="The municipality's boundary changed since it was saved; fix the edit and save again.",
            ) from error
        return Scenario(
            record, chosen.version, chosen.author, chosen.saved_at, chosen.message, edits
        )

    def move(self, scenario_id: str, status: str, *, actor: str, note: str = "") -> ScenarioRecord:
        """Change a scenario's status along :data:`TRANSITIONS`; other moves say which exist."""
        try:
            target = Status(status)
        except ValueError:
            raise InvalidRequestError(
                f"{status!r} is not a scenario status", hint=f"Statuses: {', '.join(Status)}."
            ) from None
        current = Status(self.store.scenario(scenario_id).status)
        if target not in TRANSITIONS[current]:
            allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (archived is final)"
            raise InvalidRequestError(
                f"scenario {scenario_id!r} is {current}; it cannot become {target}",
                hint=f"From {current} it can become: {allowed}.",
            )
        self.store.set_scenario_status(
            scenario_id, target, expected=current, actor=actor, note=note
        )
        return self.store.scenario(scenario_id)
