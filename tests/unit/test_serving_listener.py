"""`serving.listener`: the multi-worker listener gives accepted connections TCP_NODELAY (asyncio only
sets it for IPPROTO_TCP sockets; uvicorn's own multi-worker listener has proto 0)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from serving.listener import ListenError, tcp_listener


def _nodelay_of_accepted(listener: socket.socket) -> int:
    """TCP_NODELAY of the server side of one loopback connection accepted by an asyncio server."""

    async def run() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Report, sock=listener)
        port = listener.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    return asyncio.run(run())


def test_accepted_connections_get_tcp_nodelay() -> None:
    assert _nodelay_of_accepted(tcp_listener("127.0.0.1", 0)) != 0


def test_a_listener_without_ipproto_tcp_would_not() -> None:
    """What uvicorn's supervisor binds (proto 0): the check above can fail."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    assert _nodelay_of_accepted(sock) == 0


def test_a_busy_port_is_named() -> None:
    first = tcp_listener("127.0.0.1", 0)
    first.listen()
    port = first.getsockname()[1]
    try:
        with pytest.raises(ListenError, match=f"127.0.0.1:{port}"):
            tcp_listener("127.0.0.1", port)
    finally:
        first.close()
