"""Fixtures of the viewer tests: an app over the real, imported sample municipality."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from twin.access import create_token
from twin.config import Role
from twin.store.base import TwinStore
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
    with serving(create_app(viewer_workspace)) as url:
        yield url


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free localhost port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def role_tokens(store: TwinStore) -> dict[str, dict[str, str]]:
    """Authorization headers of one new token per role, and none for "anonymous"."""
    made = {
        role.value: create_token(store, f"test {role.value}", role, actor="pytest")[1]
        for role in Role
    }
    return {name: {"Authorization": f"Bearer {token}"} for name, token in made.items()} | {
        "anonymous": {}
    }
