"""The listening TCP socket for `imr serve --workers N`, bound so that every connection gets TCP_NODELAY.

uvicorn's multi-worker supervisor binds its listener with `proto` 0; accepted sockets inherit it and
asyncio then skips TCP_NODELAY (it checks for IPPROTO_TCP), so on Linux every keep-alive response
after the first waited ~40 ms for the client's delayed ACK (measured: single-service p50 44 ms with
2 workers against 1.3 ms with 1; uvicorn issue #3149). Binding with IPPROTO_TCP restores it.
"""

from __future__ import annotations

import socket


class ListenError(OSError):
    """The host/port cannot be bound (in use, not a local address); the message names them."""


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound, inheritable TCP listener for `host:port` (IPv6 when the host has a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock
