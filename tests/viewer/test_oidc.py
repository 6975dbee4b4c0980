"""Bearer JWTs from a municipality's identity provider, checked against a locally served JWKS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from tests.conftest import build_workspace, make_town
from twin.config import OidcConfig, Role
from twin.workspace import Workspace
from viewer.app import create_app

ISSUER = "https://login.testort.example/realms/rathaus"
AUDIENCE = "urban-twin"
SCENARIOS = "/testort/api/scenarios"


def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PROVIDER_KEY, STRANGER_KEY = private_key(), private_key()


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    """The provider's key set, served over HTTP like a real identity provider's /certs."""
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key()))
    body = json.dumps({"keys": [public | {"kid": "rathaus-1", "use": "sig", "alg": "RS256"}]})

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/certs"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, jwks_url: str) -> TestClient:
    workspace = build_workspace(
        tmp_path_factory.mktemp("oidc") / "ws", make_town(tmp_path_factory.mktemp("oidc-town"))
    )
    config = workspace.config("testort")
    oidc = OidcConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url=jwks_url,
        role_claim="realm_access.roles",
        roles={"twin-rat": Role.COUNCIL, "twin-planung": Role.ADMINISTRATION},
    )
    workspace.save_config(config.model_copy(update={"oidc": oidc}))
    return TestClient(create_app(Workspace(workspace.root)))


def token(
    roles: list[str],
    *,
    key: rsa.RSAPrivateKey = PROVIDER_KEY,
    kid: str = "rathaus-1",
    **claims: Any,
) -> dict[str, str]:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": now + 300,
        "iat": now,
        "preferred_username": "p.planer",
        "realm_access": {"roles": roles},
    } | claims
    signed = jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})
    return {"Authorization": f"Bearer {signed}"}


def create(client: TestClient, headers: dict[str, str], scenario_id: str) -> int:
    return client.post(
        SCENARIOS, json={"id": scenario_id, "title": "x"}, headers=headers
    ).status_code


def test_a_planner_of_the_provider_may_write(client: TestClient) -> None:
    assert create(client, token(["offline_access", "twin-planung"]), "oidc-plan") == 201
    made = client.get(f"{SCENARIOS}/oidc-plan", headers=token(["twin-planung"])).json()
    assert made["author"] == "p.planer"


def test_the_highest_mapped_role_counts(client: TestClient) -> None:
    assert create(client, token(["twin-rat", "twin-planung"]), "oidc-both") == 201
    assert create(client, token(["twin-rat"]), "oidc-council") == 403


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("expired", token(["twin-planung"], exp=int(time.time()) - 60)),
        ("other audience", token(["twin-planung"], aud="another-app")),
        ("other issuer", token(["twin-planung"], iss="https://evil.example/")),
        ("signed by a stranger", token(["twin-planung"], key=STRANGER_KEY)),
        ("unknown key id", token(["twin-planung"], kid="forged")),
        ("no twin role", token(["offline_access"])),
    ],
)
def test_bad_tokens_are_refused_with_the_reason(
    client: TestClient, case: str, headers: dict[str, str]
) -> None:
    answer = client.post(SCENARIOS, json={"id": "never", "title": "x"}, headers=headers)
    assert answer.status_code == 401, case
    assert answer.json()["description"].startswith("the identity provider's token is not accepted")


def test_an_unreachable_provider_is_a_503_not_a_401(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    workspace = build_workspace(
        tmp_path_factory.mktemp("oidc-down") / "ws", make_town(tmp_path_factory.mktemp("town-down"))
    )
    oidc = OidcConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url="http://127.0.0.1:9/certs",
        roles={"x": Role.ADMIN},
    )
    workspace.save_config(workspace.config("testort").model_copy(update={"oidc": oidc}))
    answer = TestClient(create_app(workspace)).get(SCENARIOS, headers=token(["x"]))
    assert answer.status_code == 503
    assert "jwks_url" in answer.json()["hint"]


def test_config_file_section_parses(tmp_path: Path) -> None:
    town = make_town(tmp_path)
    town.write_text(
        town.read_text(encoding="utf-8")
        + '\n[oidc]\nissuer = "https://x"\naudience = "a"\njwks_url = "https://x/certs"\n'
        'roles = { planung = "administration" }\n',
        encoding="utf-8",
    )
    from twin.config import load_config

    assert load_config(town).oidc == OidcConfig(
        issuer="https://x",
        audience="a",
        jwks_url="https://x/certs",
        roles={"planung": Role.ADMINISTRATION},
    )
