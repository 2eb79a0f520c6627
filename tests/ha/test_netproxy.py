"""The cluster's network forwarder: a cut is acknowledged only once nothing reaches the
node any more, so a fault injector's clock starts at the real instant of the partition."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from minwon.ha import netproxy


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    port = int(server.getsockname()[1])
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join(2)
    server.close()


def _connect(port: int) -> socket.socket:
    deadline = 50
    for _ in range(deadline):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            threading.Event().wait(0.05)
    raise AssertionError("the forwarder never listened")


def _round_trip(sock: socket.socket) -> bytes:
    sock.sendall(b"ping")
    return sock.recv(16)


def test_cut_is_acknowledged_after_connections_drop(tmp_path: Path, echo_port: int) -> None:
    listen = _free_port()
    forwarder = netproxy.Forwarder(tmp_path, [netproxy.Route("node1", listen, echo_port)])
    thread = threading.Thread(target=forwarder.serve, daemon=True)
    thread.start()
    try:
        open_conn = _connect(listen)
        assert _round_trip(open_conn) == b"ping"

        netproxy.cut(tmp_path, "node1", timeout=5)

        # The instant cut() returns: the open connection is gone and no new one is taken.
        try:
            answer = _round_trip(open_conn)
        except OSError:
            answer = b""
        assert answer == b""
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", listen), timeout=1).close()

        netproxy.heal(tmp_path, "node1")
        assert not netproxy.ack_path(tmp_path, "node1").exists()
        assert _round_trip(_connect(listen)) == b"ping"
    finally:
        forwarder.stopping.set()
        thread.join(3)


def test_cut_without_a_forwarder_times_out(tmp_path: Path) -> None:
    with pytest.raises(TimeoutError):
        netproxy.cut(tmp_path, "node1", timeout=0.2)
