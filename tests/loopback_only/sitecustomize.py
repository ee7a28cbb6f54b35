"""Loaded by Python at start-up when this folder is on PYTHONPATH: the process may reach
127.0.0.1 and nothing else. The README test runs commands as a user would (``engines``
probes Google), and a test never touches the network beyond a server it started."""

from __future__ import annotations

import socket
from typing import Any

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def is_remote(family: int, address: Any) -> bool:
    """True for an internet address other than this machine's loopback."""
    return family in (socket.AF_INET, socket.AF_INET6) and str(address[0]) not in LOOPBACK


def local_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and str(name) not in LOOPBACK:
        raise socket.gaierror(socket.EAI_NONAME, f"no network in this test (looked up {name})")
    return _getaddrinfo(host, *args, **kwargs)


def local_connect(self: Any, address: Any) -> None:
    if is_remote(self.family, address):
        raise ConnectionRefusedError(f"no network in this test (connect to {address[0]})")
    _connect(self, address)


def local_connect_ex(self: Any, address: Any) -> int:
    if is_remote(self.family, address):
        raise ConnectionRefusedError(f"no network in this test (connect to {address[0]})")
    return _connect_ex(self, address)


socket.getaddrinfo = local_getaddrinfo
socket.socket.connect = local_connect  # type: ignore[method-assign]
socket.socket.connect_ex = local_connect_ex  # type: ignore[method-assign]
