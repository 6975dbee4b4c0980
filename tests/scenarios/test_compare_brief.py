"""Comparing scenarios (values, changes, traffic lights) and the council's decision brief."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from scenarios.brief import write_brief
from scenarios.compare import DEFAULT_TARGETS, compare, judge
from scenarios.edits import Edit
from scenarios.landuse import FAIR_SHARE_M2_PER_RESIDENT, LandUseTwin
from scenarios.model import Scenario
from tests.scenarios.towns import box, synthetic_town
from twin.config import Target
from twin.store._scenarios import ScenarioRecord
from twin.workspace import Workspace

TWIN = str(Path(sys.executable).parent / "twin")


@pytest.fixture(scope="module")
def town() -> LandUseTwin:
    return synthetic_town()


def scenario(ref: str, title: str, edits: list[Edit]) -> Scenario:
    name, _, number = ref.partition("@")
    record = ScenarioRecord(
        name, title, "", "under_deliberation", "2026-11-30", "anna", "", int(number)
    )
    return Scenario(record, int(number), "anna", "2026-11-30T10:00:00Z", "for the committee", edits)


@pytest.fixture(scope="module")
def variants() -> list[Scenario]:
    return [
        scenario(
            "neubau@1",
            "Neubaugebiet",
            [
                Edit(
                    "designate",
                    box(100, 100, 200, 200),
                    use="WA",
                    grz=0.5,
                    gfz=1.2,
                    label="Am Feld",
                )
            ],
        ),
        scenario(
            "park@2",
            "Park statt Parkplatz",
            [Edit("designate", box(1150, 800, 1250, 900), use="green")],
        ),
    ]


def test_lights_follow_the_direction_of_the_target() -> None:
    lower_is_better = Target(good=0.5, bad=1.0)
    assert [judge(v, lower_is_better) for v in (0.2, 0.5, 0.7, 1.0, 3.0)] == [
        "green",
        "green",
        "amber",
        "red",
        "red",
    ]
    higher_is_better = Target(good=20, bad=6)
    assert [judge(v, higher_is_better) for v in (25, 20, 10, 6, 1)] == [
        "green",
        "green",
        "amber",
        "red",
        "red",
    ]
    assert judge(float("nan"), higher_is_better) == ""


def test_comparison_puts_each_scenario_against_the_base(
    town: LandUseTwin, variants: list[Scenario]
) -> None:
    result = compare(town, variants, targets={"sealing_share": Target(good=5, bad=10)})
    for variant in variants:
        expected = town.scenario(variant.edits)
        assert result.values[variant.ref].to_dict() == pytest.approx(
            expected.scenario.total.to_dict(), nan_ok=True
        )
        assert result.changes.at["residents", variant.ref] == pytest.approx(
            expected.change.total["residents"]
        )
    population = town.base.total["residents"]
    years = 1e4 / (population * FAIR_SHARE_M2_PER_RESIDENT)  # 1 ha against a tiny town's share
    assert result.values.at["land_take_years", "neubau@1"] == pytest.approx(years)
    assert result.lights.at["land_take_years", "neubau@1"] == "red"
    assert result.lights.at["land_take_years", "park@2"] == "green"  # parking to park takes no land
    assert result.lights.at["green_per_resident_m2", "park@2"] == "green"
    assert set(result.lights.loc["sealing_share"]) <= {"green", "amber", "red"}
    assert result.lights.at["residents", "neubau@1"] == ""  # no target, no light
    assert result.targets["land_take_years"] == DEFAULT_TARGETS["land_take_years"]
    assert [c.area_type for c in result.designations["neubau@1"]] == ["WA"]
    assert result.designations["park@2"] == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_brief_holds_table_findings_maps_and_provenance(
    town: LandUseTwin,
    variants: list[Scenario],
    imported_workspace: Workspace,
    tmp_path: Path,
    lang: str,
) -> None:
    result = compare(town, variants)
    sources = imported_workspace.store("musterstadt").layers()
    written = write_brief(
        result,
        tmp_path,
        municipality="Teststadt",
        sources=sources,
        landuse=town,
        heat=None,
        parameters={"green_distance_m": 300.0},
        base_state="abc123",
        lang=lang,
    )
    names = {path.name for path in written}
    assert {"brief.html", "brief.pdf", "neubau-v1-changes.png", "park-v2-changes.png"} <= names
    assert all(path.stat().st_size > 1000 for path in written)
    html = (tmp_path / "brief.html").read_text()
    assert 'src="neubau-v1-changes.png"' in html and 'class="light red"' in html
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "brief.pdf").pages)
    words = {
        "de": [
            "Entscheidungsvorlage",
            "Einwohner",
            "GRZ 0.5 überschreitet den Orientierungswert 0.4",
            "Datenquellen",
            "Destatis",
        ],
        "en": [
            "Decision brief",
            "Residents",
            "GRZ 0.5 exceeds the § 17 guide value 0.4",
            "Data sources",
            "Destatis",
        ],
    }[lang]
    for word in words:
        assert word in text, word
    assert sources[0].owner in text and "abc123" in text and "neubau@1" in text
    residents = f"{town.base.total['residents']:,.0f}"
    assert residents in text  # the base's residents, as the table shows them


def test_brief_with_heat_from_the_command_line(
    imported_workspace: Workspace, tmp_path: Path
) -> None:
    shutil.copytree(imported_workspace.root, tmp_path / "ws")
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TWIN_WORKSPACE": str(tmp_path / "ws")}

    def twin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TWIN, "scenario", *args], capture_output=True, text=True, env=env, timeout=600
        )

    edits = tmp_path / "park.geojson"
    edits.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"edit": "designate", "use": "green", "label": "Stadtpark"}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[10.8450, 49.6150], [10.8480, 49.6150], '
        "[10.8480, 49.6170], [10.8450, 49.6170], [10.8450, 49.6150]]]}}]}"
    )
    assert (
        twin("new", "musterstadt", "park", "--title", "Stadtpark", "--edits", str(edits)).returncode
        == 0
    )
    done = twin("brief", "musterstadt", "park", "--heat", "--out", str(tmp_path / "brief"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "brief" / "park-v1-heat.png").exists()
    text = " ".join(
        page.extract_text() for page in PdfReader(tmp_path / "brief" / "brief.pdf").pages
    )
    assert "Mittlere Lufttemperatur am" in text and "Stadtpark" in text
    compared = twin("compare", "musterstadt", "park", "--heat", "--out", str(tmp_path / "cmp"))
    assert compared.returncode == 0, compared.stderr
    table = (tmp_path / "cmp" / "comparison.csv").read_text()
    assert "t_air_mean_c" in table and "park@1 change" in table
    row = next(line for line in table.splitlines() if line.startswith("t_air_mean_c"))
    assert float(row.split(",")[3]) < 0  # a new park cools the town on average
    assert (tmp_path / "cmp" / "park-v1-heat.png").exists()
    assert (tmp_path / "cmp" / "park-v1-changes.png").exists()
    shown = twin("show", "musterstadt", "park", "--heat", "--lang", "en")
    assert shown.returncode == 0 and "Mean air temperature on a hot day" in shown.stdout
