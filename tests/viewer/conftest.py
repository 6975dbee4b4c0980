"""Fixtures of the viewer tests: an app over the real, imported sample municipality."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import build_into, make_town
from twin.access import create_token
from twin.config import Classification, Role
from twin.importer import import_layer
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


@pytest.fixture(scope="session")
def two_towns(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Musterstadt with a layer of every classification, and the tiny Testort beside it.

    Musterstadt's own layers are public and council; an ``internal`` copy of the streets
    (``street_works``) and a ``personal`` copy of the trees (``tree_sponsors``) are added.
    """
    root = tmp_path_factory.mktemp("two-towns") / "ws"
    shutil.copytree(imported_workspace.root, root)
    workspace = Workspace(root)
    config = workspace.config("musterstadt")
    layers = {layer.name: layer for layer in config.layers}
    extra = [
        layers["streets"].model_copy(
            update={"name": "street_works", "classification": Classification.INTERNAL}
        ),
        layers["trees"].model_copy(
            update={"name": "tree_sponsors", "classification": Classification.PERSONAL}
        ),
    ]
    store = workspace.store("musterstadt")
    for layer in extra:
        import_layer(config, store, layer, actor="pytest")
    build_into(workspace, make_town(tmp_path_factory.mktemp("testort-source")))
    return workspace
