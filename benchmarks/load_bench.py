"""Fifty people open the citizen map at once: latency of the map's feature requests.

Target from the views issue: with 50 concurrent clients on the sample municipality, the
95th percentile of the map's feature requests stays under 100 ms. Sets up Musterstadt in
a temporary workspace (``twin demo --no-serve``), serves it with uvicorn in its own
process (as ``make demo`` does), and runs ``--clients`` simulated browsers in this
process: each reads the map page's layer list once, then requests every layer's
GeoJSON (following ``next`` links) again and again for ``--seconds``. A browser that
has a layer sends its ETag (``If-None-Match``), as a real one does; ``--cold`` turns that
off so that every answer carries the whole layer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TWIN = str(Path(sys.executable).parent / "twin")


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def layer_urls(base: str) -> list[str]:
    """The GeoJSON URLs the citizen map fetches (from the page's embedded config)."""
    page = httpx.get(f"{base}/musterstadt/", timeout=30).text
    match = re.search(
        r'<script type="application/json" id="twin-config">(.*?)</script>', page, re.S
    )
    if match is None:
        raise SystemExit("the map page has no embedded config")
    return [layer["items"] for layer in json.loads(match[1])["layers"]]


NEXT = re.compile(rb'\{[^{}]*"rel":\s*"next"[^{}]*\}')


def next_link(body: bytes) -> str | None:
    """The ``next`` link of a GeoJSON page, read from its tail (where the links are).

    Parsing megabytes of JSON only to find it would make this load generator compete
    with the server for the same two cores; a browser does that work elsewhere.
    """
    match = NEXT.search(body[-4096:])
    return None if match is None else str(json.loads(match[0])["href"])


async def browse(
    client: httpx.AsyncClient, urls: list[str], until: float, cold: bool, times: list[float]
) -> int:
    """One simulated browser: fetch every layer, page by page, until time is up."""
    etags: dict[str, str] = {}
    fetched = 0
    while time.monotonic() < until:
        for url in urls:
            next_url: str | None = url
            while next_url:
                headers = (
                    {} if cold or next_url not in etags else {"If-None-Match": etags[next_url]}
                )
                start = time.perf_counter()
                answer = await client.get(next_url, headers=headers)
                times.append(time.perf_counter() - start)
                fetched += 1
                if answer.status_code == 304:
                    break  # the browser still has this page and what follows it
                answer.raise_for_status()
                if "etag" in answer.headers:
                    etags[next_url] = answer.headers["etag"]
                next_url = next_link(answer.content)
    return fetched


async def load(urls: list[str], clients: int, seconds: float, cold: bool) -> list[float]:
    """Run ``clients`` browsers at once; every request's latency in seconds."""
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        until = time.monotonic() + seconds
        await asyncio.gather(*(browse(client, urls, until, cold, times) for _ in range(clients)))
    return times


def main() -> None:
    """Set up, serve, load, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cold", action="store_true", help="never send If-None-Match")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"TWIN_WORKSPACE": tmp}
        subprocess.run([TWIN, "demo", "--no-serve"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [TWIN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base, timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            urls = layer_urls(base)
            asyncio.run(load(urls, 2, 3.0, args.cold))  # warm up
            times = asyncio.run(load(urls, args.clients, args.seconds, args.cold))
        finally:
            server.terminate()
            server.wait(timeout=30)
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    p99 = ms[int(0.99 * (len(ms) - 1))]
    mode = "cold (no ETags)" if args.cold else "browsers with ETags"
    print(f"{args.clients} clients, {args.seconds:.0f} s, {len(urls)} layers, {mode}")
    print(
        f"requests {len(ms)} ({len(ms) / args.seconds:.0f}/s)  median {statistics.median(ms):.1f} ms"
        f"  p95 {p95:.1f} ms  p99 {p99:.1f} ms  max {ms[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
