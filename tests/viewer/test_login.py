"""Logging in to the web views: users, sessions, CSRF, lock-out, logout, and the `twin users` CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.viewer.conftest import copy_workspace
from twin import accounts
from twin.accounts import LOCK_AFTER, LOCK_FOR, add_user, set_password
from twin.config import Role
from twin.errors import AuthenticationError
from twin.workspace import Workspace
from viewer.app import create_app

TWIN = str(Path(sys.executable).parent / "twin")
PASSWORD = "rathaus-linde-mühlbach"
OGC = "/musterstadt/ogc/collections?f=json"


@pytest.fixture(scope="module")
def workspace(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A copy of our own: the users added here must not reach other modules' copies."""
    workspace = copy_workspace(two_towns, tmp_path_factory, "login")
    store = workspace.store("musterstadt")
    add_user(store, "Renate Rat", Role.COUNCIL, PASSWORD, actor="pytest")
    add_user(store, "Paul Planer", Role.ADMINISTRATION, PASSWORD, actor="pytest")
    return workspace


def browser(workspace: Workspace) -> TestClient:
    """A fresh client with its own cookie jar, like a separate browser."""
    return TestClient(create_app(workspace), follow_redirects=False)


def log_in(client: TestClient, name: str, password: str = PASSWORD, next_path: str = "") -> int:
    return login_answer(client, name, password, next_path).status_code


def login_answer(
    client: TestClient, name: str, password: str = PASSWORD, next_path: str = ""
) -> httpx.Response:
    form = client.get(f"/musterstadt/login?next={next_path}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    answer = client.post(
        "/musterstadt/login",
        data={"name": name, "password": password, "csrf_token": token[1], "next": next_path},
    )
    return answer


def layers(client: TestClient) -> set[str]:
    return {c["id"] for c in client.get(OGC).json()["collections"]}


def csrf(client: TestClient) -> str:
    match = re.search(
        r'<meta name="csrf-token" content="([^"]+)"', client.get("/musterstadt/").text
    )
    assert match, "a logged-in page carries the session's CSRF token"
    return match[1]


def test_a_council_member_logs_in_and_sees_council_layers(workspace: Workspace) -> None:
    client = browser(workspace)
    assert "sensitive_sites" not in layers(client)
    assert log_in(client, "Renate Rat", next_path="/musterstadt/ogc/") == 303
    cookie = client.cookies.jar
    session = next(c for c in cookie if c.name == "twin_session")
    assert session.path == "/musterstadt/"
    assert session.has_nonstandard_attr("HttpOnly")
    assert "sensitive_sites" in layers(client)
    assert "street_works" not in layers(client)


def test_login_goes_back_within_the_municipality_only(workspace: Workspace) -> None:
    client = browser(workspace)
    form = client.get("/musterstadt/login?next=https://evil.example/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    for target, expected in [
        ("/musterstadt/council", "/musterstadt/council"),
        ("https://evil.example/", "/musterstadt/"),
        ("//evil.example/x", "/musterstadt/"),
        ("/testort/", "/musterstadt/"),
    ]:
        client.cookies.set("twin_login_csrf", token[1], path="/musterstadt/")
        answer = client.post(
            "/musterstadt/login",
            data={
                "name": "Renate Rat",
                "password": PASSWORD,
                "csrf_token": token[1],
                "next": target,
            },
        )
        assert answer.headers["location"] == expected


def test_wrong_password_and_unknown_name_get_the_same_answer(workspace: Workspace) -> None:
    client = browser(workspace)
    wrong_password = login_answer(client, "Renate Rat", "falsches-passwort")
    unknown_name = login_answer(client, "Niemand Unbekannt", "falsches-passwort")
    assert wrong_password.status_code == unknown_name.status_code == 401
    assert "twin_session" not in client.cookies
    assert "Name oder Passwort sind falsch" in wrong_password.text

    def without_token(page: str) -> str:
        return re.sub(r'value="[^"]*"', "", page)

    assert without_token(wrong_password.text) == without_token(unknown_name.text)


def test_a_login_form_without_its_token_is_refused(workspace: Workspace) -> None:
    client = browser(workspace)
    answer = client.post(
        "/musterstadt/login", data={"name": "Renate Rat", "password": PASSWORD, "csrf_token": "x"}
    )
    assert answer.status_code == 403
    assert "twin_session" not in client.cookies


def test_cookie_writes_need_the_csrf_token(workspace: Workspace) -> None:
    client = browser(workspace)
    assert log_in(client, "Paul Planer") == 303
    body = {"id": "csrf-probe", "title": "CSRF probe"}
    forged = client.post("/musterstadt/api/scenarios", json=body)
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["description"]
    assert all(s.id != "csrf-probe" for s in workspace.store("musterstadt").scenarios())
    made = client.post(
        "/musterstadt/api/scenarios", json=body, headers={"X-CSRF-Token": csrf(client)}
    )
    assert made.status_code == 201, made.text
    assert any(s.id == "csrf-probe" for s in workspace.store("musterstadt").scenarios())


def test_the_csrf_token_of_one_session_does_not_fit_another(workspace: Workspace) -> None:
    first, second = browser(workspace), browser(workspace)
    assert log_in(first, "Paul Planer") == 303
    assert log_in(second, "Paul Planer") == 303
    answer = second.post(
        "/musterstadt/api/scenarios",
        json={"id": "csrf-cross", "title": "x"},
        headers={"X-CSRF-Token": csrf(first)},
    )
    assert answer.status_code == 403


def test_logout_ends_the_session(workspace: Workspace) -> None:
    client = browser(workspace)
    assert log_in(client, "Renate Rat") == 303
    stolen = client.cookies["twin_session"]
    out = client.post("/musterstadt/logout", data={"csrf_token": csrf(client)})
    assert out.status_code == 303
    replay = browser(workspace)
    replay.cookies.set("twin_session", stolen, path="/musterstadt/")
    assert "sensitive_sites" not in layers(replay), "a logged-out cookie is worth nothing"


def test_lock_out_after_wrong_passwords_and_unlock_by_new_password(workspace: Workspace) -> None:
    store = workspace.store("musterstadt")
    add_user(store, "Gerda Gast", Role.COUNCIL, PASSWORD, actor="pytest")
    client = browser(workspace)
    for _ in range(LOCK_AFTER):
        assert log_in(client, "Gerda Gast", "nicht-das-passwort") == 401
    assert log_in(client, "Gerda Gast") == 401, "locked even with the right password"
    set_password(store, "Gerda Gast", "ein-neues-passwort", actor="pytest")
    assert log_in(client, "Gerda Gast", "ein-neues-passwort") == 303


def test_parallel_guesses_cannot_slip_past_the_lock(workspace: Workspace) -> None:
    """Guesses that all read the user before the lock was set: the right one is refused too."""
    store = workspace.store("musterstadt")
    add_user(store, "Olga Ofen", Role.COUNCIL, PASSWORD, actor="pytest")
    with ThreadPoolExecutor(8) as pool:
        wrong = [
            pool.submit(accounts.log_in, store, "Olga Ofen", "nicht-das-passwort")
            for _ in range(3 * LOCK_AFTER)
        ]
        for future in wrong:
            with pytest.raises(AuthenticationError):
                future.result()
    # the last step of a guess that read the user before the lock, with the right password
    allowed = store.record_login("Olga Ofen", ok=True, lock_after=LOCK_AFTER, lock_for=LOCK_FOR)
    assert allowed is False
    with pytest.raises(AuthenticationError):
        accounts.log_in(store, "Olga Ofen", PASSWORD)


def test_a_disabled_user_is_logged_out_at_once(workspace: Workspace) -> None:
    store = workspace.store("musterstadt")
    add_user(store, "Karl Kurz", Role.COUNCIL, PASSWORD, actor="pytest")
    client = browser(workspace)
    assert log_in(client, "Karl Kurz") == 303
    assert "sensitive_sites" in layers(client)
    store.disable_user("Karl Kurz", actor="pytest")
    assert "sensitive_sites" not in layers(client)
    assert log_in(client, "Karl Kurz") == 401


def test_a_session_of_one_municipality_means_nothing_in_another(workspace: Workspace) -> None:
    client = browser(workspace)
    assert log_in(client, "Paul Planer") == 303
    cookie = client.cookies["twin_session"]
    other = browser(workspace)
    other.cookies.set("twin_session", cookie, path="/testort/")
    answer = other.post(
        "/testort/api/scenarios", json={"id": "x1", "title": "x"}, headers={"X-CSRF-Token": "x"}
    )
    assert answer.status_code == 401


def test_users_cli(workspace: Workspace) -> None:
    env = {"TWIN_WORKSPACE": str(workspace.root), "PATH": "/usr/bin:/bin"}
    added = subprocess.run(
        [
            TWIN,
            "users",
            "add",
            "musterstadt",
            "Bea Beirat",
            "--role",
            "council",
            "--password-stdin",
        ],
        input="ein-sehr-langes-passwort\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert log_in(browser(workspace), "Bea Beirat", "ein-sehr-langes-passwort") == 303
    short = subprocess.run(
        [TWIN, "users", "add", "musterstadt", "Kurt Kurz", "--role", "council", "--password-stdin"],
        input="kurz\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert short.returncode == 1
    assert "at least 10" in short.stdout + short.stderr
    assert "Traceback" not in short.stdout + short.stderr
    listed = subprocess.run(
        [TWIN, "users", "list", "musterstadt"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "Bea Beirat" in listed and "Kurt Kurz" not in listed
