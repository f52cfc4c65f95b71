"""A TCP proxy that can be told to stop forwarding: the network a stalled VPN or proxy gives.

It runs its own event loop in a thread, so that a test can drive it while a `python -m ehgtui`
subprocess (or the test's own event loop) talks through it. Stalled, it keeps every connection
open and accepts new ones, but holds all bytes in both directions, as a middlebox that stopped
forwarding does: the client sees neither an error nor an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

READY_SECONDS = 10.0
"""How long the proxy's thread may take to start listening (a safety net)."""


class StallingProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`upstream_port` until told to stall."""

    def __init__(self, upstream_port: int, stall_on: bytes | None = None) -> None:
        """Args:
        upstream_port: The server's port.
        stall_on: Stall as soon as the client sends bytes containing this (for example
            `b"BEGIN"`: the first statement, once the connection is established).
        """
        self._upstream_port = upstream_port
        self._stall_on = stall_on
        self._loop = asyncio.new_event_loop()
        self._flowing = asyncio.Event()
        self._stalled_once = threading.Event()
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self.port = 0
        self._thread = threading.Thread(target=self._run, name="stall-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(READY_SECONDS):
            raise RuntimeError("the proxy did not start")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._flowing.set()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pump(reader, up_writer, from_client=True),
            self._pump(up_reader, writer, from_client=False),
            return_exceptions=True,
        )

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, from_client: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if from_client and self._stall_on is not None and self._stall_on in data:
                    self._stall_on = None
                    self._flowing.clear()
                    self._stalled_once.set()
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()

    def stall(self) -> None:
        """Stop forwarding (bytes are held, connections stay open)."""
        self._loop.call_soon_threadsafe(self._flowing.clear)
        self._stalled_once.set()

    def resume(self) -> None:
        """Forward again, held bytes first."""
        self._loop.call_soon_threadsafe(self._flowing.set)

    @property
    def has_stalled(self) -> bool:
        """Whether the proxy stalled at some point (by `stall()` or on `stall_on`)."""
        return self._stalled_once.is_set()

    def close(self) -> None:
        """Stop listening and end the thread (held connections are dropped)."""
        self.resume()

        async def shut() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(READY_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(READY_SECONDS)


@contextmanager
def stalling_proxy(upstream_port: int, stall_on: bytes | None = None) -> Iterator[StallingProxy]:
    """A `StallingProxy`, closed (and so un-stalled) afterwards."""
    proxy = StallingProxy(upstream_port, stall_on)
    try:
        yield proxy
    finally:
        proxy.close()
