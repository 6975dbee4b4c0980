"""Fixtures of the viewer tests: an app over the real, imported sample municipality."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from twin.workspace import Workspace
from viewer.app import create_app


@pytest.fixture(scope="session")
def viewer_workspace(imported_workspace: Workspace) -> Workspace:
    """The sample municipality Musterstadt, fully imported (read-only)."""
    return imported_workspace


@pytest.fixture(scope="session")
def client(viewer_workspace: Workspace) -> TestClient:
    return TestClient(create_app(viewer_workspace))


@pytest.fixture(scope="session")
def live_server(viewer_workspace: Workspace) -> Iterator[str]:
    """Base URL of the real app served by uvicorn on a free localhost port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(viewer_workspace), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
