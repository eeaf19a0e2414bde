"""The Redis ACL of the console's own Redis user: everything it needs, and no way to rewrite
the audit log.

The console may read and write its own keys (``llave:console:*``), the account hashes, the
submission records, the verdict stream, the review stream and the duplicate-identity gallery
(``llave:gallery:*``: it enrolls approved cases' templates, encrypted). On ``llave:audit`` it may only
read and XADD (within WATCH/MULTI/EXEC): XDEL, XTRIM, DEL, SET, RENAME, EXPIRE... are refused,
also from inside Lua scripts. (An XADD with MAXLEN could still trim the stream's start; the
hash chain makes that visible, since the first entry left no longer links to the genesis.)
"""

from __future__ import annotations

RULES: tuple[str, ...] = (
    "resetkeys",
    "resetchannels",
    "-@all",
    "+@read",
    "+@write",
    "+@stream",
    "+@hash",
    "+@string",
    "+@keyspace",
    "+@scripting",
    "+@transaction",
    "+@connection",
    "-@dangerous",
    "~llave:console:*",
    "~llave:account:*",
    "~llave:submission:*",
    "~llave:verdicts",
    "~llave:gallery:*",
    "~llave:review",
    "%R~llave:audit",
    "(~llave:audit +xadd +watch +unwatch +multi +exec)",
)


def setuser_args(username: str, password: str) -> list[str]:
    """The arguments of ``ACL SETUSER`` creating the console user.

    >>> setuser_args("llave-console", "pw")[:4]
    ['ACL', 'SETUSER', 'llave-console', 'reset']
    """
    return ["ACL", "SETUSER", username, "reset", "on", f">{password}", *RULES]
