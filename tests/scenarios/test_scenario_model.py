"""Scenarios in the store: versions, branches, lifecycle, diffs, cache keys and the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import shapely

from scenarios.edits import Edit
from scenarios.landuse import landuse_twin
from scenarios.model import ScenarioBook, Status, base_state, diff
from twin.errors import InvalidRequestError, TwinError, UnknownFeatureError
from twin.workspace import Workspace

TWIN = str(Path(sys.executable).parent / "twin")


@pytest.fixture
def workspace(imported_workspace: Workspace, tmp_path: Path) -> Workspace:
    """A private copy of the imported sample workspace (scenarios write to the store)."""
    shutil.copytree(imported_workspace.root, tmp_path / "ws")
    return Workspace(tmp_path / "ws")


@pytest.fixture
def book(workspace: Workspace) -> ScenarioBook:
    return ScenarioBook(workspace.store("musterstadt"), workspace.config("musterstadt"))


def some_edits(book: ScenarioBook) -> list[Edit]:
    x, y = book.boundary.centroid.x, book.boundary.centroid.y
    return [
        Edit("designate", shapely.box(x, y, x + 50, y + 50), use="green", label="Park"),
        Edit("unseal", shapely.box(x + 100, y, x + 130, y + 30)),
        Edit("plant_trees", shapely.LineString([(x, y - 20), (x + 80, y - 20)]), spacing_m=10.0),
    ]


def test_every_save_is_a_version_and_edits_round_trip(book: ScenarioBook) -> None:
    edits = some_edits(book)
    first = book.create("park", edits[:1], title="Park am Markt", actor="anna")
    assert (first.ref, first.record.status, first.author) == ("park@1", "draft", "anna")
    second = book.save("park", edits, actor="ben", message="Entsiegelung und Bäume")
    assert second.ref == "park@2"
    assert book.load("park@1").edits == first.edits
    loaded = book.load("park")
    assert [e.kind for e in loaded.edits] == ["designate", "unseal", "plant_trees"]
    assert loaded.edits[0].label == "Park" and loaded.edits[2].spacing_m == 10.0
    assert [v.author for v in book.store.scenario_versions("park")] == ["anna", "ben"]
    assert any(r.action == "save_scenario" and r.actor == "ben" for r in book.store.audit_log())


def test_removing_an_edit_restores_the_base(book: ScenarioBook) -> None:
    twin = landuse_twin(book.store, book.config)
    book.create("try", some_edits(book)[:2], title="Versuch", actor="anna")
    assert twin.scenario(book.load("try").edits).change.total.abs().max() > 0
    book.save("try", [], actor="anna", message="zurück")
    restored = twin.scenario(book.load("try").edits).scenario.total
    pd.testing.assert_series_equal(restored, twin.base.total)


def test_diff_aligns_edits_by_content(book: ScenarioBook) -> None:
    a, b, c = some_edits(book)
    moved = Edit("unseal", shapely.box(*(v + 5 for v in b.geometry.bounds)))
    changes = diff([a, b, c], [a, moved, c])
    assert [(ch.change, ch.number_a, ch.number_b) for ch in changes] == [("changed", 2, 2)]
    inserted = diff([a, c], [a, b, c])
    assert [(ch.change, ch.number_b) for ch in inserted] == [("added", 2)]
    assert [ch.change for ch in diff([a, b, c], [a])] == ["removed", "removed"]
    assert diff([a, b], [a, b]) == []


def test_lifecycle_moves_and_refusals(book: ScenarioBook) -> None:
    book.create("plan", [], title="Plan", actor="anna")
    with pytest.raises(InvalidRequestError, match="cannot become published") as refused:
        book.move("plan", "published", actor="anna")
    assert "under_deliberation" in refused.value.hint
    book.move("plan", "under_deliberation", actor="anna", note="in den Ausschuss")
    book.move("plan", "published", actor="rat", note="Beschluss 2026/17")
    with pytest.raises(InvalidRequestError, match="published; its edits can no longer change"):
        book.save("plan", some_edits(book), actor="anna", message="zu spät")
    book.move("plan", "archived", actor="anna")
    with pytest.raises(InvalidRequestError, match="archived is final"):
        book.move("plan", "draft", actor="anna")
    history = book.store.scenario_history("plan")
    assert [e.status for e in history] == ["draft", "under_deliberation", "published", "archived"]
    assert history[2].note == "Beschluss 2026/17"
    with pytest.raises(InvalidRequestError, match="not a scenario status"):
        book.move("plan", "approved", actor="anna")


def test_status_change_is_compare_and_set(book: ScenarioBook) -> None:
    book.create("race", [], title="Race", actor="anna")
    book.store.set_scenario_status(
        "race", Status.UNDER_DELIBERATION, expected="draft", actor="anna"
    )
    with pytest.raises(InvalidRequestError, match="no longer draft"):
        book.store.set_scenario_status("race", Status.ARCHIVED, expected="draft", actor="ben")
    assert book.store.scenario("race").status == "under_deliberation"


def test_branch_copies_a_version(book: ScenarioBook) -> None:
    book.create("a", some_edits(book), title="A", actor="anna")
    book.save("a", some_edits(book)[:1], actor="anna", message="kleiner")
    branch = book.branch("a@1", "b", actor="ben")
    assert branch.record.branched_from == "a@1" and len(branch.edits) == 3
    assert branch.record.status == "draft" and branch.record.title == "A (Variante)"


def test_bad_ids_and_references(book: ScenarioBook) -> None:
    with pytest.raises(InvalidRequestError, match="not a valid scenario id"):
        book.create("Park Am Markt", [], title="x", actor="anna")
    book.create("x", [], title="x", actor="anna")
    with pytest.raises(InvalidRequestError, match="already a scenario 'x'"):
        book.create("x", [], title="x", actor="anna")
    with pytest.raises(UnknownFeatureError, match="no scenario 'nope'"):
        book.load("nope")
    with pytest.raises(InvalidRequestError, match="has no version 7"):
        book.load("x@7")
    with pytest.raises(InvalidRequestError, match="must be a number"):
        book.load("x@latest")


def test_base_state_changes_with_the_config_and_the_layers(book: ScenarioBook) -> None:
    base = base_state(book.config, book.store)
    assert base == base_state(book.config, book.store)
    changed = book.config.model_copy(update={"name": "Musterstadt (neu)"})
    assert base_state(changed, book.store) != base


def twin(workspace: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TWIN_WORKSPACE": str(workspace.root)}
    return subprocess.run(
        [TWIN, "scenario", *args], capture_output=True, text=True, env=env, timeout=300
    )


def edits_file(folder: Path, features: list[dict]) -> Path:
    path = folder / f"edits{len(list(folder.glob('edits*')))}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def wgs84_box(book: ScenarioBook, dx: float, size: float) -> dict:
    from pyproj import Transformer

    to_wgs = Transformer.from_crs(book.crs, "EPSG:4326", always_xy=True)
    x, y = book.boundary.centroid.x + dx, book.boundary.centroid.y
    ring = [
        to_wgs.transform(*p)
        for p in [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_cli_drafts_edits_shows_diffs_and_moves(
    book: ScenarioBook, workspace: Workspace, tmp_path: Path
) -> None:
    wa = {"edit": "designate", "use": "WA", "grz": 0.5, "gfz": 1.0, "label": "Neues Wohngebiet"}
    first = edits_file(
        tmp_path, [{"type": "Feature", "properties": wa, "geometry": wgs84_box(book, 0, 100)}]
    )
    done = twin(
        workspace,
        "new",
        "musterstadt",
        "wohnen",
        "--title",
        "Wohnen am Rand",
        "--edits",
        str(first),
    )
    assert done.returncode == 0, done.stderr
    trees = {"edit": "plant_trees", "spacing_m": 12}
    second = edits_file(
        tmp_path, [{"type": "Feature", "properties": trees, "geometry": wgs84_box(book, 200, 60)}]
    )
    done = twin(workspace, "edit", "musterstadt", "wohnen", "--add", str(second), "-m", "Bäume")
    assert done.returncode == 0 and "wohnen@2" in done.stdout
    shown = twin(workspace, "show", "musterstadt", "wohnen", "--lang", "en")
    assert shown.returncode == 0, shown.stderr
    assert "GRZ 0.5 exceeds the § 17 guide value 0.4 for WA" in shown.stdout
    assert "Residents" in shown.stdout and "Bäume" in shown.stdout  # the version message
    differ = twin(workspace, "diff", "musterstadt", "wohnen@1", "wohnen@2")
    assert differ.returncode == 0 and "added" in differ.stdout and "plant_trees" in differ.stdout
    moved = twin(
        workspace, "status", "musterstadt", "wohnen", "under_deliberation", "--note", "Ausschuss"
    )
    assert moved.returncode == 0 and "under_deliberation" in moved.stdout
    assert "wohnen" in twin(workspace, "list", "musterstadt").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "musterstadt", "nope"], "no scenario 'nope'"),
        (["show", "nirgendwo", "x"], "no municipality 'nirgendwo'"),
        (["status", "musterstadt", "wohnen", "approved"], "not a scenario status"),
        (["edit", "musterstadt", "wohnen", "-m", "x", "--remove", "5"], "has edits 1-0"),
    ],
)
def test_the_cli_explains_bad_input(workspace: Workspace, args: list[str], message: str) -> None:
    twin(workspace, "new", "musterstadt", "wohnen")
    done = twin(workspace, *args)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_the_cli_rejects_a_bad_edits_file_and_stores_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    bad = edits_file(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": {"edit": "designate", "use": "WZ"},
                "geometry": {"type": "Point", "coordinates": [10.84, 49.61]},
            }
        ],
    )
    done = twin(workspace, "new", "musterstadt", "kaputt", "--edits", str(bad))
    assert done.returncode == 1 and "edit 1 (designate)" in done.stderr
    with pytest.raises(TwinError):
        ScenarioBook(workspace.store("musterstadt"), workspace.config("musterstadt")).load("kaputt")


def test_a_bebauungsplan_in_xplangml_becomes_a_scenario(workspace: Workspace) -> None:
    plan = (
        Path(__file__).parents[2]
        / "sample_data"
        / "musterstadt"
        / "plans"
        / "bplan_am_muehlbach.gml"
    )
    done = twin(workspace, "import-xplan", "musterstadt", "muehlbach", str(plan))
    assert done.returncode == 0, done.stderr
    assert "5 designated area(s)" in done.stdout and "ignored: 2 BP_BauGrenze" in done.stdout
    book = ScenarioBook(workspace.store("musterstadt"), workspace.config("musterstadt"))
    scenario = book.load("muehlbach")
    assert [e.use for e in scenario.edits] == ["WA", "WA", "MI", "green", "traffic"]
    assert scenario.record.title == "Am Mühlbach MS-BP 07"
    result = landuse_twin(book.store, book.config).scenario(scenario.edits)
    area_ha = sum(e.geometry.area for e in scenario.edits) / 1e4
    assert result.change.total["land_take_ha"] == pytest.approx(area_ha, rel=1e-6)  # all on fields
    expected_floor = sum(e.geometry.area * e.gfz for e in scenario.edits if e.gfz)
    assert result.change.total["floor_area_m2"] == pytest.approx(expected_floor, rel=1e-6)
    shown = twin(workspace, "show", "musterstadt", "muehlbach", "--lang", "en")
    assert "GRZ 0.45 exceeds the § 17 guide value 0.4 for WA" in shown.stdout


def test_a_broken_plan_is_refused_with_its_reason(workspace: Workspace) -> None:
    broken = Path(__file__).parents[1] / "data" / "xplanung" / "bad_gfz_and_gfzmin.gml"
    done = twin(workspace, "import-xplan", "musterstadt", "kaputt", str(broken))
    assert done.returncode == 1 and "GFZ" in done.stderr and "Traceback" not in done.stderr
    assert "kaputt" not in twin(workspace, "list", "musterstadt").stdout


def test_the_demo_puts_its_sample_plan_under_deliberation_once(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TWIN_WORKSPACE": str(tmp_path / "ws")}
    for _ in range(2):  # running the demo again keeps the one scenario
        done = subprocess.run(
            [TWIN, "demo", "--no-serve"], capture_output=True, text=True, env=env, timeout=600
        )
        assert done.returncode == 0, done.stderr
    store = Workspace(tmp_path / "ws").store("musterstadt")
    (record,) = store.scenarios()
    assert (record.id, record.status, record.version) == ("am-muehlbach", "under_deliberation", 1)
