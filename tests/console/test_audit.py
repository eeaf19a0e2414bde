"""The audit log: hash chain, tamper detection, concurrency, Redis ACL, CLI."""

from __future__ import annotations

import io
import threading

import pytest
import redis

from commands import main as cli
from console import audit, users


def _append_three(r):  # type: ignore[no-untyped-def]
    return [
        audit.append(r, "ana", "reviewer", "claim", submission_id="s-1"),
        audit.append(
            r, "ana", "reviewer", "approve", submission_id="s-1", note="ok", verdict_sha256="a" * 64
        ),
        audit.append(r, "sofia", "supervisor", "release", submission_id="s-2"),
    ]


def test_chain_links_every_entry(r):
    entries = _append_three(r)
    assert entries[0].record["prev"] == audit.GENESIS
    assert entries[1].record["prev"] == entries[0].hash
    report = audit.verify(r)
    assert report.ok and report.entries == 3 and report.head == entries[-1].hash


def test_deleting_an_entry_is_detected(r):
    entries = _append_three(r)
    r.xdel("llave:audit", entries[1].entry_id)
    report = audit.verify(r)
    assert not report.ok and report.broken_at == entries[2].entry_id


def test_editing_an_entry_is_detected(r):
    entries = _append_three(r)
    forged = dict(entries[1].record, note="otra nota")
    r.xadd("llave:audit", {"record": audit.canonical(forged), "hash": entries[1].hash})
    assert not audit.verify(r).ok


def test_trimming_the_start_is_detected(r):
    _append_three(r)
    r.xtrim("llave:audit", maxlen=2, approximate=False)
    report = audit.verify(r)
    assert not report.ok and "anterior" in report.problem


def test_concurrent_appends_keep_one_chain(r, redis_server):
    def worker(name: str) -> None:
        client = redis.Redis.from_url(redis_server)
        for i in range(10):
            audit.append(client, name, "reviewer", "claim", submission_id=f"s-{i}")

    threads = [threading.Thread(target=worker, args=(f"u{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = audit.verify(r)
    assert report.ok and report.entries == 40


def test_console_redis_user_can_append_but_not_delete(r, console_redis):
    entry = audit.append(console_redis, "ana", "reviewer", "claim", submission_id="s-1")
    assert audit.verify(console_redis).ok and audit.read(console_redis)[0].hash == entry.hash
    for command in (
        ("XDEL", "llave:audit", entry.entry_id),
        ("XTRIM", "llave:audit", "MAXLEN", "0"),
        ("DEL", "llave:audit"),
        ("SET", "llave:audit", "x"),
        ("RENAME", "llave:audit", "llave:console:x"),
        ("EXPIRE", "llave:audit", "1"),
        ("EVAL", "return redis.call('DEL', KEYS[1])", "1", "llave:audit"),
        ("FLUSHDB",),
    ):
        with pytest.raises(redis.exceptions.NoPermissionError):
            console_redis.execute_command(*command)
    assert audit.verify(r).entries == 1


def test_cli_manages_users_and_verifies_the_audit(r, redis_server, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("una-contraseña-larga\n"))
    assert (
        cli(
            [
                "review-console",
                "--redis-url",
                redis_server,
                "add-user",
                "carla",
                "--role",
                "supervisor",
                "--password-stdin",
            ]
        )
        == 0
    )
    assert users.authenticate(r, "carla", "una-contraseña-larga").is_supervisor
    assert r.hget("llave:console:user:carla", "password_hash").startswith(b"$argon2id$")
    monkeypatch.setattr("sys.stdin", io.StringIO("corta\n"))
    assert (
        cli(
            ["review-console", "--redis-url", redis_server, "add-user", "dario", "--password-stdin"]
        )
        == 2
    )
    assert cli(["review-console", "--redis-url", redis_server, "users"]) == 0
    assert "carla\tsupervisor\tactive" in capsys.readouterr().out
    assert cli(["review-console", "--redis-url", redis_server, "verify-audit"]) == 0
    first = audit.read(r)[0]
    r.xdel("llave:audit", first.entry_id)
    audit.append(r, "x", "reviewer", "claim")
    r.xadd("llave:audit", {"record": "{}", "hash": "0"})
    assert cli(["review-console", "--redis-url", redis_server, "verify-audit"]) == 1
    assert cli(["review-console", "--redis-url", redis_server, "disable-user", "carla"]) == 0
    assert users.authenticate(r, "carla", "una-contraseña-larga") is None


def test_cli_sets_up_the_console_acl_user(r, redis_server, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("otra-contraseña-larga\n"))
    url = redis_server
    assert (
        cli(["review-console", "--redis-url", url, "setup-acl", "consola-2", "--password-stdin"])
        == 0
    )
    limited = redis.Redis.from_url(
        url.replace("redis://", "redis://consola-2:otra-contraseña-larga@")
    )
    audit.append(limited, "ana", "reviewer", "claim", submission_id="s-9")
    with pytest.raises(redis.exceptions.NoPermissionError):
        limited.delete("llave:audit")
    r.acl_deluser("consola-2")
