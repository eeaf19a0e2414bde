"""Fixtures of the console tests: a real redis-server on a free port, a LocalStore, the app."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from console import create_app, users
from tests.console import seed as seeding

PASSWORD = "correcto-caballo-bateria"
ACL_PW = "console-acl-test-password"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2():
    """Argon2 at its cheapest parameters: production costs ~0.4 s per hash on CI machines."""
    from argon2 import PasswordHasher, profiles

    saved = users._HASHER
    users._HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    users._HASHER = saved


@pytest.fixture(scope="session")
def redis_server():
    """A throwaway redis-server (no persistence), killed at the end of the session."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    import redis

    port = free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def r(redis_server):
    """A clean Redis database for one test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(scope="session")
def console_redis_url(redis_server):
    """A Redis URL for the console's restricted ACL user (console/acl.py), created once."""
    import redis

    from console.acl import setuser_args

    redis.Redis.from_url(redis_server).execute_command(*setuser_args("llave-console", ACL_PW))
    return redis_server.replace("redis://", f"redis://llave-console:{ACL_PW}@")


@pytest.fixture
def console_redis(r, console_redis_url):
    """A client logged in as the console's ACL user: what the app under test uses."""
    import redis

    return redis.Redis.from_url(console_redis_url)


@pytest.fixture
def store(tmp_path):
    """A local directory object store."""
    from workers.storage import LocalStore

    return LocalStore(tmp_path / "objects")


@pytest.fixture
def cases(store, r):
    """Three review cases, seeded as the workers would leave them."""
    return seeding.seed(store, r, 3)


@pytest.fixture
def accounts_made(r):
    """Two reviewers and a supervisor."""
    for name, role in (("ana", "reviewer"), ("beto", "reviewer"), ("sofia", "supervisor")):
        users.save(r, name, role, PASSWORD)
    return r


def make_app(console_redis, store, **overrides):  # type: ignore[no-untyped-def]
    """The console app over the seeded store, as the restricted Redis user (plain-HTTP cookies)."""
    settings = {
        "cookie_secure": False,
        "upload_bucket": seeding.UPLOADS,
        "verdict_bucket": seeding.VERDICTS,
        **overrides,
    }
    return create_app(redis_client=console_redis, store=store, **settings)


@pytest.fixture
def app(console_redis, store, cases, accounts_made):
    """The console app with default settings."""
    return make_app(console_redis, store)


def login(client, username: str, password: str = PASSWORD):
    """Log in through the form (prelogin CSRF cookie included); returns the response."""
    client.get("/login")
    token = client.get_cookie("llave_prelogin", path="/login").value
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def csrf_of(client) -> str:
    """The CSRF token of the logged-in session, read from the queue page."""
    import re

    page = client.get("/cola").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
