"""``llave-verify review-console``: run the reviewers' web console, manage its accounts, check
its audit log.

    llave-verify review-console [--host 127.0.0.1] [--port 8080]
    llave-verify review-console add-user NAME --role reviewer|supervisor   (password on stdin/prompt)
    llave-verify review-console disable-user NAME
    llave-verify review-console users
    llave-verify review-console verify-audit
    llave-verify review-console --redis-url ADMIN_URL setup-acl [llave-console]
"""

from __future__ import annotations

import argparse
import getpass
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Serve by default; sub-actions manage accounts and verify the audit chain."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on")
    parser.add_argument("--redis-url", default=None, help="default: $LLAVE_REDIS_URL")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    add = sub.add_parser("add-user", help="create or reset a reviewer or supervisor account")
    add.add_argument("username")
    add.add_argument("--role", choices=("reviewer", "supervisor"), default="reviewer")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    disable = sub.add_parser("disable-user", help="disable an account (its sessions end)")
    disable.add_argument("username")
    sub.add_parser("users", help="list the accounts")
    sub.add_parser("verify-audit", help="recompute the audit log's hash chain")
    acl = sub.add_parser(
        "setup-acl", help="create the console's restricted Redis user (run with admin rights)"
    )
    acl.add_argument("username", nargs="?", default="llave-console")
    acl.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen action."""
    actions = {
        None: _serve,
        "add-user": _add_user,
        "disable-user": _disable_user,
        "users": _list_users,
        "verify-audit": _verify_audit,
        "setup-acl": _setup_acl,
    }
    return actions[args.action](args)


def _redis(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    import redis

    from console.config import ConsoleSettings

    return redis.Redis.from_url(args.redis_url or ConsoleSettings().redis_url, socket_timeout=5)


def _serve(args: argparse.Namespace) -> int:
    import logging

    from werkzeug.serving import run_simple

    from console import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    overrides = {"redis_url": args.redis_url} if args.redis_url else {}
    app = create_app(**overrides)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    return 0


def _add_user(args: argparse.Namespace) -> int:
    from console import audit, users

    password = _read_password(args)
    if password is None:
        return 2
    r = _redis(args)
    try:
        user = users.save(r, args.username, args.role, password)
    except users.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    audit.append(r, "cli", "admin", "user_add", username=user.username, new_role=user.role)
    print(f"{user.username}: {user.role}")
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """The password from stdin (scripts) or typed twice at a prompt; None if they differ."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Contraseña: ")
    if getpass.getpass("Repite la contraseña: ") != password:
        print("las contraseñas no coinciden", file=sys.stderr)
        return None
    return password


def _disable_user(args: argparse.Namespace) -> int:
    from console import users

    if not users.set_active(_redis(args), args.username, False):
        print(f"error: no such user {args.username}", file=sys.stderr)
        return 1
    print(f"{args.username}: disabled")
    return 0


def _list_users(args: argparse.Namespace) -> int:
    from console import users

    for user in users.all_users(_redis(args)):
        print(f"{user.username}\t{user.role}\t{'active' if user.active else 'disabled'}")
    return 0


def _verify_audit(args: argparse.Namespace) -> int:
    from console import audit

    report = audit.verify(_redis(args))
    if report.ok:
        print(f"audit chain intact: {report.entries} entries, head {report.head}")
        return 0
    print(f"audit chain BROKEN at entry {report.broken_at}: {report.problem}", file=sys.stderr)
    return 1


def _setup_acl(args: argparse.Namespace) -> int:
    from console.acl import setuser_args

    password = _read_password(args)
    if password is None:
        return 2
    _redis(args).execute_command(*setuser_args(args.username, password))
    print(f"redis user {args.username}: console rules applied (audit stream append-only)")
    return 0
