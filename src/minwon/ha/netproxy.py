"""The local cluster's "network": a TCP forwarder that can cut one node off.

On one machine every node shares the loopback interface, so a network partition cannot be
made by pulling a cable. Instead every path *to* a node (clients and replicas reaching its
PostgreSQL, peers reaching its Patroni REST API) and every path *from* a node to etcd goes
through this forwarder, grouped by node. ``minwon cluster partition nodeN`` creates the file
``<dir>/nodeN.cut``: the forwarder then drops every open connection of that group and
refuses new ones until the file is removed (``heal``). Once the group's listeners are
closed and its connections dropped, the forwarder writes ``<dir>/nodeN.cut.ack``: from
then on nothing reaches the node, and a fault injector that waits for the file knows the
instant the cut took effect. The node keeps running, believes
itself primary for a while, and must demote itself when it cannot renew its leader lock —
exactly the situation Patroni's ``ttl``/``retry_timeout`` rule exists for.

Run as ``python -m minwon.ha.netproxy --dir DIR --route GROUP:LISTEN:TARGET ...``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import signal
import socket
import threading
import time
from pathlib import Path

POLL_SECONDS = 0.1


@dataclasses.dataclass(frozen=True)
class Route:
    """``GROUP:LISTEN:TARGET`` — listen on 127.0.0.1:LISTEN, forward to 127.0.0.1:TARGET."""

    group: str
    listen: int
    target: int

    @classmethod
    def parse(cls, text: str) -> Route:
        group, listen, target = text.split(":")
        return cls(group, int(listen), int(target))

    def __str__(self) -> str:
        return f"{self.group}:{self.listen}:{self.target}"


def ack_path(directory: Path, group: str) -> Path:
    """The file the forwarder writes once the cut of ``group`` has taken effect."""
    return directory / f"{group}.cut.ack"


def cut(directory: Path, group: str, *, timeout: float = 10) -> None:
    """Cut ``group`` off and return once the forwarder has acknowledged it (listeners
    closed, connections dropped): the caller's clock then starts when the node is really
    unreachable, not up to a poll interval before. Raises ``TimeoutError`` when no
    forwarder acknowledges."""
    ack = ack_path(directory, group)
    ack.unlink(missing_ok=True)
    (directory / f"{group}.cut").touch()
    deadline = time.monotonic() + timeout
    while not ack.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the network forwarder did not cut {group} off")
        time.sleep(0.02)


def heal(directory: Path, group: str) -> None:
    (directory / f"{group}.cut").unlink(missing_ok=True)
    ack_path(directory, group).unlink(missing_ok=True)


class Forwarder:
    """One listener per route; connections tracked per group so a cut can drop them."""

    def __init__(self, directory: Path, routes: list[Route]) -> None:
        self.directory = directory
        self.routes = routes
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.open: dict[str, set[socket.socket]] = {r.group: set() for r in routes}
        self.listening: dict[str, int] = {r.group: 0 for r in routes}

    def is_cut(self, group: str) -> bool:
        return (self.directory / f"{group}.cut").exists()

    def serve(self) -> None:
        threads = [
            threading.Thread(target=self._listen, args=(r,), daemon=True) for r in self.routes
        ]
        for thread in threads:
            thread.start()
        while not self.stopping.wait(POLL_SECONDS):
            for group in self.open:
                if self.is_cut(group):
                    with self.lock:
                        closed = self.listening[group] == 0
                    self._drop(group)
                    if closed:
                        ack_path(self.directory, group).touch()

    def _drop(self, group: str) -> None:
        with self.lock:
            sockets = list(self.open[group])
            self.open[group].clear()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _listen(self, route: Route) -> None:
        """Listen while the group is connected; close the listener while it is cut, so
        connection attempts are refused as by a host that is gone."""
        while not self.stopping.is_set():
            if self.is_cut(route.group):
                time.sleep(POLL_SECONDS)
                continue
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                server.bind(("127.0.0.1", route.listen))
            except OSError:
                server.close()
                time.sleep(POLL_SECONDS)
                continue
            server.listen(128)
            server.settimeout(POLL_SECONDS)
            with self.lock:
                self.listening[route.group] += 1
            try:
                while not self.stopping.is_set() and not self.is_cut(route.group):
                    try:
                        client, _ = server.accept()
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    self._connect(route, client)
            finally:
                server.close()
                with self.lock:
                    self.listening[route.group] -= 1

    def _connect(self, route: Route, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", route.target), timeout=3)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        client.settimeout(None)
        with self.lock:
            self.open[route.group].update((client, upstream))
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(route.group, src, dst), daemon=True).start()

    def _pump(self, group: str, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self.lock:
                self.open[group].discard(src)
                self.open[group].discard(dst)
            src.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--route", action="append", default=[], type=Route.parse)
    args = parser.parse_args(argv)
    forwarder = Forwarder(args.dir, args.route)
    signal.signal(signal.SIGTERM, lambda *_: forwarder.stopping.set())
    signal.signal(signal.SIGINT, lambda *_: forwarder.stopping.set())
    forwarder.serve()


if __name__ == "__main__":
    main()
