"""Harvesting from an existing SensorThings server (a city's FROST, another twin).

Incremental and resumable without any bookkeeping of its own: for each remote Datastream
the harvest asks only for Observations newer than the newest one already stored
(``$filter=phenomenonTime gt …``, ``$orderby=phenomenonTime``), follows
``@iot.nextLink``s, and stores every page in its own transaction. After a crash the next
run simply continues from what was committed; re-fetched observations are absorbed by the
store's idempotent inserts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pandas as pd
from pyproj import CRS, Transformer

from twin.errors import DataFileError
from twin.store.base import InsertCount, SensorSite, TwinStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HarvestResult:
    """What one harvest of one remote Datastream stored."""

    key: str
    remote_id: str
    count: InsertCount


def _get(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as err:
        raise DataFileError(f"SensorThings server not reachable at {url}: {err}") from None
    if response.status_code != 200:
        raise DataFileError(
            f"SensorThings server answered {response.status_code} for {response.url}: {response.text[:200]}"
        )
    try:
        body = response.json()
    except ValueError:
        raise DataFileError(f"SensorThings server sent no JSON for {response.url}") from None
    if not isinstance(body, dict):
        raise DataFileError(f"SensorThings server sent an unexpected answer for {response.url}")
    return body


def _pages(
    client: httpx.Client, url: str, params: dict[str, str]
) -> Iterator[list[dict[str, Any]]]:
    body = _get(client, url, params)
    while True:
        yield list(body.get("value", []))
        next_link = body.get("@iot.nextLink")
        if not next_link:
            return
        body = _get(client, next_link)


def harvest(
    store: TwinStore,
    *,
    source: str,
    url: str,
    to_crs: CRS,
    datastream_filter: str | None = None,
    classification: str = "public",
    page_size: int = 1000,
    actor: str,
    client: httpx.Client | None = None,
    on_page: Callable[[str, InsertCount], None] | None = None,
) -> list[HarvestResult]:
    """Copy new observations of the remote Datastreams (optionally ``$filter``ed) into ``store``."""
    own = client or httpx.Client(timeout=60)
    to_local = Transformer.from_crs(4326, to_crs, always_xy=True)
    stored = {record.key: record for record in store.datastreams()}
    params = {"$expand": "Thing($expand=Locations),ObservedProperty", "$top": "100"}
    if datastream_filter:
        params["$filter"] = datastream_filter
    results = []
    try:
        for page in _pages(own, f"{url}/Datastreams", params):
            for remote in page:
                key = f"{source}:{remote['@iot.id']}"
                locations = (remote.get("Thing") or {}).get("Locations") or [{}]
                coordinates = ((locations[0].get("location") or {}).get("coordinates")) or [
                    0.0,
                    0.0,
                ]
                x, y = to_local.transform(float(coordinates[0]), float(coordinates[1]))
                unit = (remote.get("unitOfMeasurement") or {}).get("symbol") or ""
                site = SensorSite(
                    key, str(remote.get("name", key)), "other", x, y, unit, classification
                )
                datastream_id = store.register_sensor(site, actor=actor)
                last = stored[key].last if key in stored else None
                query = {
                    "$orderby": "phenomenonTime asc",
                    "$top": str(page_size),
                    "$select": "phenomenonTime,result",
                }
                if last:
                    query["$filter"] = f"phenomenonTime gt {last}"
                total = InsertCount(0, 0)
                for observations in _pages(
                    own, f"{url}/Datastreams({remote['@iot.id']})/Observations", query
                ):
                    if not observations:
                        continue
                    frame = pd.DataFrame(
                        {
                            "phenomenon_time": [
                                o["phenomenonTime"].split("/")[0] for o in observations
                            ],
                            "result": [o["result"] for o in observations],
                        }
                    )
                    count = store.add_observations(datastream_id, frame, actor=actor)
                    total = InsertCount(total.new + count.new, total.duplicate + count.duplicate)
                    if on_page:
                        on_page(key, count)
                results.append(HarvestResult(key, str(remote["@iot.id"]), total))
    finally:
        if client is None:
            own.close()
    return results
