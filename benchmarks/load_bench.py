"""Fifty people open the citizen map at once: latency of the map's feature requests.

Target from the views issue: with 50 concurrent clients on the sample municipality, the
95th percentile of the map's feature requests stays under 100 ms. Sets up Musterstadt in
a temporary workspace (``twin demo --no-serve``), serves it with uvicorn in its own
process (as ``make demo`` does), and runs ``--clients`` simulated browsers in this
process: they read the map page's layer list once, then each requests every layer's
GeoJSON (following ``next`` links) again and again for ``--seconds``.

Each request is the one the map page's script makes (``static/twin-layers.js``), with
the headers a browser adds: ``Accept: application/geo+json``, ``Accept-Encoding`` with
gzip and ``Accept-Language``. A browser that has a page sends its ETag
(``If-None-Match``) as a browser with a warm HTTP cache does; on a 304 it goes on with
the ``next`` link of the page it has. ``--cold`` turns that off, so that every answer
carries the whole page. ``--parallel`` fetches a browser's layers at once over one
connection each, as the page does (``Promise.all``); by default one after the other.

The browsers speak HTTP/1.1 over plain asyncio streams rather than through a client
library: fifty of them share two cores with the server, and a general-purpose client
spends more CPU per request than the server does, which would measure the load
generator's own queue instead of the server. The CPU time both used per request is
printed with the latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
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
from urllib.parse import urlsplit

import httpx

TWIN = str(Path(sys.executable).parent / "twin")
BROWSER_HEADERS = (
    "Accept: application/geo+json\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: de-DE,de;q=0.9,en;q=0.8\r\n"
)


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


class Answer:
    """Status, headers (lower-case names) and body of one response."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class Connection:
    """One keep-alive HTTP/1.1 connection, as a browser keeps to the server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, url: str, headers: str) -> Answer:
        """GET ``url`` (absolute) with extra ``headers`` (CRLF-terminated lines)."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port, limit=2**20)
        reader, writer = self.streams
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{BROWSER_HEADERS}{headers}\r\n".encode()
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields: dict[str, str] = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            body = await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readuntil(b"\r\n")
            body = b"".join(chunks)
        else:
            body = b""
        if fields.get("connection", "").lower() == "close":
            writer.close()
            self.streams = None
        return Answer(status, fields, body)


class Browser:
    """One simulated browser: its HTTP cache (ETag and ``next`` link per page)."""

    def __init__(self, host: str, port: int, cold: bool) -> None:
        self.host, self.port, self.cold = host, port, cold
        self.cache: dict[str, tuple[str, str | None]] = {}
        self.links: dict[str, str | None] = {}  # ETag → the page's next link
        self.fetched = 0

    async def layer(self, connection: Connection, url: str, times: list[float]) -> None:
        """Fetch one layer, page by page, as ``fetchAll`` in ``twin-layers.js`` does."""
        next_url: str | None = url
        while next_url:
            cached = None if self.cold else self.cache.get(next_url)
            headers = "" if cached is None else f"If-None-Match: {cached[0]}\r\n"
            start = time.perf_counter()
            answer = await connection.get(next_url, headers)
            times.append(time.perf_counter() - start)
            self.fetched += 1
            if answer.status == 304 and cached is not None:
                next_url = cached[1]  # the browser still has this page: its next link
                continue
            if answer.status != 200:
                raise SystemExit(f"HTTP {answer.status} for {next_url}")
            etag = answer.headers.get("etag")
            if etag is None or etag not in self.links:
                body = answer.body
                if answer.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                link = next_link(body)
                if etag is not None:
                    self.links[etag] = link  # same ETag, same page: read it only once
            else:
                link = self.links[etag]
            if etag is not None:
                self.cache[next_url] = (etag, link)
            next_url = link

    async def browse(
        self, urls: list[str], until: float, parallel: bool, times: list[float]
    ) -> None:
        """Load the map's layers again and again until time is up."""
        connections = [
            Connection(self.host, self.port) for _ in range(min(len(urls), 6) if parallel else 1)
        ]
        while time.monotonic() < until:
            if parallel:
                await asyncio.gather(
                    *(
                        self.layer(connections[i % len(connections)], url, times)
                        for i, url in enumerate(urls)
                    )
                )
            else:
                for url in urls:
                    await self.layer(connections[0], url, times)
        for connection in connections:
            if connection.streams is not None:
                connection.streams[1].close()


async def load(
    port: int, urls: list[str], clients: int, seconds: float, cold: bool, parallel: bool
) -> list[float]:
    """Run ``clients`` browsers at once; every request's latency in seconds."""
    times: list[float] = []
    until = time.monotonic() + seconds
    browsers = [Browser("127.0.0.1", port, cold) for _ in range(clients)]
    await asyncio.gather(*(browser.browse(urls, until, parallel, times) for browser in browsers))
    return times


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` (0 where ``/proc`` is missing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Set up, serve, load, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cold", action="store_true", help="never send If-None-Match")
    parser.add_argument("--parallel", action="store_true", help="fetch a browser's layers at once")
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
            asyncio.run(load(port, urls, 2, 3.0, args.cold, args.parallel))  # warm up
            server_cpu, own_cpu = cpu_seconds(server.pid), time.process_time()
            times = asyncio.run(
                load(port, urls, args.clients, args.seconds, args.cold, args.parallel)
            )
            server_cpu, own_cpu = (
                cpu_seconds(server.pid) - server_cpu,
                time.process_time() - own_cpu,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    p99 = ms[int(0.99 * (len(ms) - 1))]
    mode = "cold (no ETags)" if args.cold else "browsers with ETags"
    order = "layers at once" if args.parallel else "layers one after the other"
    print(f"{args.clients} clients, {args.seconds:.0f} s, {len(urls)} layers, {mode}, {order}")
    print(
        f"requests {len(ms)} ({len(ms) / args.seconds:.0f}/s)  median {statistics.median(ms):.1f} ms"
        f"  p95 {p95:.1f} ms  p99 {p99:.1f} ms  max {ms[-1]:.1f} ms"
    )
    print(
        f"CPU per request: server {server_cpu / len(ms) * 1000:.2f} ms, "
        f"load generator {own_cpu / len(ms) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
