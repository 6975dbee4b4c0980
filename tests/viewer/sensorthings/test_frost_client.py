"""A standard SensorThings client library, unchanged, against the twin's server.

FROST-Client (Fraunhofer IOSB's Python client, `frost_sta_client` on PyPI) is what cities
running a FROST server script against; it must read the twin's SensorThings API as it
reads FROST: entity sets, single entities, $filter, $orderby, $top, $expand and paging
through @iot.nextLink.
"""

from __future__ import annotations

import frost_sta_client as fsc
import pytest

from twin.workspace import Workspace

# the client's own URL library warns about itself; nothing of ours
pytestmark = pytest.mark.filterwarnings("ignore:furl.pathstr is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def service(live_server: str) -> fsc.SensorThingsService:
    return fsc.SensorThingsService(f"{live_server}/musterstadt/sta/v1.1")


def test_lists_and_finds_things_and_datastreams(service, viewer_workspace: Workspace) -> None:
    expected = {s.name for s in viewer_workspace.config("musterstadt").sensors}
    things = list(service.things().query().list())
    assert {t.name for t in things} == expected
    found = service.things().find(things[0].id)
    assert found.name == things[0].name
    streams = list(
        service.datastreams().query().filter("name eq 'Lufttemperatur Marktplatz'").list()
    )
    assert len(streams) == 1 and streams[0].unit_of_measurement.symbol == "°C"


def test_filters_orders_and_pages_observations(service, viewer_workspace: Workspace) -> None:
    stream = next(
        iter(
            service.datastreams()
            .query()
            .filter("name eq 'Pegel Mühlbach Brücke Bahnhofstraße'")
            .list()
        )
    )
    stored = viewer_workspace.store("musterstadt").observations(stream.id)
    # paging: the client follows @iot.nextLink until every observation is read
    pages = list(
        service.observations().query().filter(f"Datastream/id eq {stream.id}").top(100).list()
    )
    assert len(pages) == len(stored) > 100
    hottest = list(
        service.datastreams()
        .find(stream.id)
        .get_observations()
        .query()
        .orderby("result", "desc")
        .top(1)
        .list()
    )
    assert hottest[0].result == pytest.approx(stored["result"].max())


def test_expands_locations_of_things(service) -> None:
    things = list(service.things().query().expand("Locations").top(3).list())
    assert things and all(t.locations for t in things)
    point = next(iter(things[0].locations)).location
    assert point["type"] == "Point" and 10 < point["coordinates"][0] < 11
