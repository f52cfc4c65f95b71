"""A TCP proxy on loopback that delays every chunk by a fixed one-way latency.

It models a database across the internet: each direction adds `one_way_ms`, so a round trip
costs twice that, while bandwidth stays unlimited. Order within a connection is kept. Used by
the benchmarks (and usable by tests) to show what a design costs in round trips.

`latency_proxy()` runs it in a process of its own (`python -m bench.latency_proxy PORT MS`):
a proxy thread inside the measured process would compete with the client for the GIL, and
the network it stands for costs the client no CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path


class _Turns:
    """Round trips on one proxied connection: each time the server answers after the client
    spoke (a TCP connect, a TLS handshake step, an authentication step or a query)."""

    def __init__(self) -> None:
        self.count = 0
        self._client_spoke = True  # the connect itself waits for the server's SYN-ACK

    def client(self) -> None:
        self._client_spoke = True

    def server(self) -> None:
        if self._client_spoke:
            self.count += 1
            self._client_spoke = False


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    delay: float,
    arrived: Callable[[], None],
) -> None:
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if not data:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            writer.close()

    sender = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            arrived()
            queue.put_nowait((time.monotonic() + delay, data))
    except OSError:
        pass
    queue.put_nowait((time.monotonic() + delay, b""))
    with contextlib.suppress(OSError):
        await sender


class LatencyProxy:
    """Forward 127.0.0.1:<port> to target_port, adding one_way_ms each way."""

    def __init__(
        self, target_port: int, one_way_ms: float = 25.0, turns_log: Path | None = None
    ) -> None:
        self.target_port = target_port
        self.turns_log = turns_log
        self.delay = one_way_ms / 1000.0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_w.close()
            return
        turns = _Turns()
        await asyncio.gather(
            _pump(client_r, server_w, self.delay, turns.client),
            _pump(server_r, client_w, self.delay, turns.server),
        )
        if self.turns_log is not None:
            with self.turns_log.open("a") as log:
                log.write(f"{turns.count}\n")

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    def start(self) -> int:
        """Start serving in a background thread; return the proxy's port."""

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._serve())

        self._thread = threading.Thread(target=run, name="latency-proxy", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self.port

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)


@contextlib.contextmanager
def latency_proxy(
    target_port: int, one_way_ms: float = 25.0, turns_log: Path | None = None
) -> Iterator[int]:
    """Run a LatencyProxy in a child process for the duration of a with block; yield its port.

    With turns_log, the proxy appends a line to that file for every connection that ends: the
    round trips it took (see `read_turns`).
    """
    extra = [str(turns_log)] if turns_log is not None else []
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.latency_proxy", str(target_port), str(one_way_ms), *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError("the latency proxy did not start")
        yield int(line)
    finally:
        child.terminate()
        child.wait(10)


def read_turns(turns_log: Path) -> list[int]:
    """The round trips of each connection logged since the last call (the log is emptied).

    A connection is logged when it ends: call this once the command that made it has exited.
    """
    if not turns_log.exists():
        return []
    counts = [int(line) for line in turns_log.read_text().split()]
    turns_log.write_text("")
    return counts


def main() -> None:
    """`python -m bench.latency_proxy TARGET_PORT [ONE_WAY_MS [TURNS_LOG]]`: print the port,
    then serve."""
    proxy = LatencyProxy(
        int(sys.argv[1]),
        float(sys.argv[2]) if len(sys.argv) > 2 else 25.0,
        Path(sys.argv[3]) if len(sys.argv) > 3 else None,
    )
    print(proxy.start(), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
