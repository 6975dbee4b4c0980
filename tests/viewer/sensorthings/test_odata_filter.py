"""$filter: the parser's precedence, results against pandas on the sample data, errors, injection."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from sample_data import get_path
from twin.config import load_config
from viewer.api.sensorthings.odata_filter import (
    And,
    Arith,
    Compare,
    Literal,
    Negate,
    Not,
    Or,
    Path,
    parse,
)

STA = "/musterstadt/sta/v1.1"
CONFIG = load_config(get_path("musterstadt"))


def count(client: TestClient, path: str, expression: str) -> int:
    response = client.get(
        f"{STA}/{path}", params={"$filter": expression, "$count": "true", "$top": 0}
    )
    assert response.status_code == 200, response.text
    return int(response.json()["@iot.count"])


def history(key: str) -> pd.DataFrame:
    sensor = next(s for s in CONFIG.sensors if s.id == key)
    frame = pd.read_csv(CONFIG.resolve(sensor.history or ""))
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


def test_precedence() -> None:
    a, b, c = (Compare("eq", Path((n,)), Literal(1)) for n in "abc")
    assert parse("a eq 1 or b eq 1 and c eq 1") == Or(a, And(b, c))
    assert parse("(a eq 1 or b eq 1) and c eq 1") == And(Or(a, b), c)
    assert parse("not a eq 1") == Not(a)
    assert parse("-1 add 2 mul 3 eq 5") == Compare(
        "eq", Arith("add", Negate(Literal(1)), Arith("mul", Literal(2), Literal(3))), Literal(5)
    )
    assert parse("name eq 'O''Brien'") == Compare("eq", Path(("name",)), Literal("O'Brien"))
    assert parse("phenomenonTime ge 2025-07-01T02:00:00+02:00").right == Literal(
        "2025-07-01T00:00:00Z"
    )


def test_numbers_and_times_against_pandas(client: TestClient) -> None:
    t01 = history("T01")
    assert (
        count(client, "Datastreams(1)/Observations", "result gt 30")
        == (t01["value"] > 30).sum()
        > 0
    )
    expected = ((t01["time"].dt.hour == 14) & (t01["value"] >= 25)).sum()
    assert (
        count(client, "Datastreams(1)/Observations", "hour(phenomenonTime) eq 14 and result ge 25")
        == expected
    )
    since = pd.Timestamp("2025-07-20T00:00:00+02:00")
    assert (
        count(client, "Datastreams(1)/Observations", "phenomenonTime ge 2025-07-20T00:00:00+02:00")
        == (t01["time"] >= since).sum()
    )
    r01 = history("R01")
    expected = ((r01["value"] % 2 == 0) & (r01["value"] > 0)).sum()
    assert (
        count(client, "Datastreams(14)/Observations", "result mod 2 eq 0 and result gt 0")
        == expected
    )
    assert count(client, "Observations", "result eq null") == 0
    assert count(client, "Observations", "(result add 1) mul 2 gt 200") == sum(
        (history(s.id)["value"].add(1).mul(2) > 200).sum() for s in CONFIG.sensors
    )


def test_strings_navigation_and_json(client: TestClient) -> None:
    names = [s.name for s in CONFIG.sensors]
    assert count(client, "Things", "substringof('Markt', name)") == sum("Markt" in n for n in names)
    assert count(client, "Things", "startswith(name, 'Luft') or endswith(name, 'Süd')") == sum(
        n.startswith("Luft") or n.endswith("Süd") for n in names
    )
    assert count(client, "Things", "tolower(name) eq 'pegel mühlbach brücke bahnhofstraße'") == 1
    assert count(client, "Things", "length(name) gt 30") == sum(len(n) > 30 for n in names)
    assert count(client, "Things", "indexof(name, 'temp') eq 4") == sum(
        n.find("temp") == 4 for n in names
    )
    assert (
        count(
            client,
            "Observations",
            "Datastream/ObservedProperty/name eq 'Wasserstand / water level'",
        )
        == 672
    )
    assert (
        count(client, "Observations", "Datastream/Thing/properties/kind eq 'soil_moisture'")
        == 6 * 672
    )
    assert count(client, "Things", "properties/reference eq true") == 1


def test_geography(client: TestClient) -> None:
    to_wgs84 = Transformer.from_crs(CONFIG.crs, 4326, always_xy=True)
    points = [shapely.Point(*to_wgs84.transform(*s.location)) for s in CONFIG.sensors]
    box = shapely.box(10.835, 49.60, 10.86, 49.625)
    expected = sum(box.contains(p) for p in points)
    assert 0 < expected < len(points)
    assert count(client, "Locations", f"st_within(location, geography'{box.wkt}')") == expected
    assert count(client, "Locations", f"geo.intersects(location, geography'{box.wkt}')") == expected
    assert (
        count(client, "Locations", f"not st_within(location, geography'{box.wkt}')")
        == len(points) - expected
    )


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("result gt", "unexpected end at character 10"),
        ("(result gt 1", "expected ')'"),
        ("result gt 1)", "unexpected ')' at character 12"),
        ("name eq 'open", "unterminated string at character 9"),
        ("frobnicate(result) eq 1", "unknown function 'frobnicate'"),
        ("substringof('a') eq true", "substringof() takes 2 argument(s), got 1"),
        ("colour eq 'red'", "has no property 'colour'"),
        ("and result gt 1", "operator 'and' needs an operand"),
        ("result gt 1 result", "unexpected 'result'"),
        ("", "$filter is empty"),
    ],
)
def test_errors_say_what_and_where(client: TestClient, expression: str, words: str) -> None:
    response = client.get(f"{STA}/Observations", params={"$filter": expression})
    assert response.status_code == 400
    assert words in response.json()["description"]


@pytest.mark.parametrize(
    "expression",
    [
        "name eq 'x'' or 1=1 --'",
        "name eq 'a''); DROP TABLE sta_things; --'",
        "name eq 'a'' or ''1''=''1'",
    ],
)
def test_injection_is_just_text(client: TestClient, expression: str) -> None:
    assert count(client, "Things", expression) == 0
    assert count(client, "Things", "id gt 0") == len(CONFIG.sensors)  # the table is intact


def test_injection_in_property_names_is_refused(client: TestClient) -> None:
    for expression in (
        "result; DROP TABLE sta_observations eq 1",
        "properties/kind') eq 1 or ('a eq 'a'",
    ):
        assert client.get(f"{STA}/Things", params={"$filter": expression}).status_code == 400
    assert count(client, "Observations", "id gt 0") == 15 * 672


ATOMS = st.sampled_from(
    ["result", "name", "phenomenonTime", "1", "2.5", "'a'", "null", "true", "id", "-3"]
)
OPS = st.sampled_from(
    ["eq", "ne", "gt", "ge", "lt", "le", "add", "sub", "mul", "div", "mod", "and", "or"]
)
FUNCS = st.sampled_from(["year", "tolower", "length", "round", "not"])


@st.composite
def expressions(draw: Any, depth: int = 0) -> str:
    kind = draw(st.integers(0, 3 if depth < 3 else 0))
    if kind == 0:
        return draw(ATOMS)
    if kind == 1:
        return f"{draw(expressions(depth + 1))} {draw(OPS)} {draw(expressions(depth + 1))}"
    if kind == 2:
        name = draw(FUNCS)
        inner = draw(expressions(depth + 1))
        return f"not ({inner})" if name == "not" else f"{name}({inner})"
    return f"({draw(expressions(depth + 1))})"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(expressions())
def test_any_expression_is_answered_or_refused_never_crashes(
    client: TestClient, expression: str
) -> None:
    response = client.get(f"{STA}/Observations", params={"$filter": expression, "$top": 1})
    assert response.status_code in (200, 400), (expression, response.text)


def test_invalid_sql_like_syntax_is_refused_not_run(client: TestClient) -> None:
    response = client.get(f"{STA}/Things", params={"$filter": "name eq 'a' or ''=''"})
    assert response.status_code == 400 and "unexpected '='" in response.json()["description"]


@pytest.mark.parametrize(
    ("expression", "status"),
    [
        (" or ".join(f"result eq {i}" for i in range(150)), 200),  # long flat chains are fine
        ("result" + " add 1" * 100 + " gt 1", 200),
        ("(" * 30 + "result gt 1" + ")" * 30, 200),
        ("not " * 60 + "result gt 1", 400),
        ("not " * 5000 + "result gt 1", 400),
        ("result" + " sub 1" * 100 + " gt 1", 400),
        ("-" * 100 + "result gt 1", 400),
        ("result eq 1 or " * 800 + "result eq 2", 400),  # longer than 8,000 characters
    ],
)
def test_big_or_deep_filters_are_answered_or_refused(
    client: TestClient, expression: str, status: int
) -> None:
    response = client.get(f"{STA}/Observations", params={"$filter": expression, "$top": 1})
    assert response.status_code == status, response.text[:300]
    if status == 400:
        description = response.json()["description"]
        assert "nested too deeply" in description or "longer than 8000" in description


def test_swapped_arguments_keep_their_parameters(client: TestClient) -> None:
    # substringof(a, b) becomes instr(b, a): both literals must still land in the right place
    assert count(client, "Things", "substringof('Mark', 'Marktplatz')") == len(CONFIG.sensors)
    assert count(client, "Things", "substringof('Marktplatz', 'Mark')") == 0
    assert count(client, "Things", "substring(name, 4, 10) eq 'temperatur'") == sum(
        s.name[4:14] == "temperatur" for s in CONFIG.sensors
    )
