"""Test-only start-up hook: resolve the names in ``TANDEM_TEST_LOOPBACK_NAMES`` to 127.0.0.1.

``tests.harness.sites.child_env`` puts this folder first on ``PYTHONPATH`` of a child process
(``tandem serve``/``tandem worker`` behind the test nginx), so the child reaches ``lms.test`` and
``tandem.test`` without any /etc/hosts edit. Nothing else is changed; other names resolve as usual.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable

_original = socket.getaddrinfo
_names: set[str] = set()


def _getaddrinfo(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - socket.getaddrinfo's signature
    if isinstance(host, bytes):
        name = host.decode("ascii", "replace")
    else:
        name = host
    if isinstance(name, str) and name.lower().rstrip(".") in _names:
        host = "127.0.0.1"
    return _original(host, *args, **kwargs)


def install(names: Iterable[str]) -> None:
    """Map ``names`` to 127.0.0.1 from now on."""
    _names.update(n.lower() for n in names)
    socket.getaddrinfo = _getaddrinfo


def uninstall(names: Iterable[str]) -> None:
    """Forget ``names``; restore the resolver when no name is left."""
    _names.difference_update(n.lower() for n in names)
    if not _names:
        socket.getaddrinfo = _original


_env = os.environ.get("TANDEM_TEST_LOOPBACK_NAMES")
if _env:
    install(n.strip() for n in _env.split(",") if n.strip())
