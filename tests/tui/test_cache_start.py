"""The catalog cache at start: shown before any catalog query, checked with one fingerprint
statement, replaced (selection kept) when the schema changed; a corrupt file is a warning."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.message import Message

from ehgtui.catalog.cache import cache_path, read_cached
from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.messages import CacheChecked, CatalogLoaded
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.detail.columns import ColumnsGrid
from tests.pg import TestServer
from tests.tui.conftest import loaded, settle

SD = "public.strategic_directives_v2"


def _app(dsn: str, use_cache: bool = True) -> EhgApp:
    target = ConnectionTarget(dsn, "test")
    return build_app(lambda: target, ("public",), Config(), use_cache=use_cache)


def _executed(pg: TestServer, database: str, after: int) -> list[str]:
    """Queries the server ran for `database` past log offset: extended-protocol ones, and
    one-trip ones (`ehgtui.db.one_trip`: BEGIN, the query and ROLLBACK in one message)."""
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")[after:]
    pattern = re.compile(
        rf"^.*\b{re.escape(database)} ehgtui: LOG:  "
        r"(?:execute [^\n]*\n(.*)|statement: (BEGIN READ ONLY; DO \$ehgtui_one_trip\$.*))$",
        re.M,
    )
    return [m.group(1) or m.group(2) for m in pattern.finditer(log)]


def _loads(seen: list[Message]) -> list[CatalogLoaded]:
    """CatalogLoaded messages, once each (the hook sees a bubbling message at every node)."""
    unique = {id(m): m for m in seen if isinstance(m, CatalogLoaded)}
    return list(unique.values())


def _log_size(pg: TestServer) -> int:
    return len((pg.server.data_dir / "server.log").read_text(errors="replace"))


async def test_second_start_shows_cache_then_one_fingerprint_query(pg18: TestServer) -> None:
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    identity = ConnectionTarget(dsn, "test").identity

    async with _app(dsn).run_test(size=(120, 36)) as pilot:  # first start: full load, saved
        screen = await loaded(pilot)
        assert screen.catalog is not None
    assert read_cached(identity, ("public",)).cached is not None

    offset = _log_size(pg18)
    seen: list[Message] = []
    app = _app(dsn)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        screen = await loaded(pilot)
        await settle(pilot)
        loads = _loads(seen)
        assert len(loads) == 1 and loads[0].cached is not None
        assert loads[0].cached.startswith("cached, ")
        assert any(isinstance(m, CacheChecked) for m in seen)
        status = screen.query_one(ConnectionBar).status
        assert status.startswith("cached, ") and status.endswith(", current")
        assert screen.selected == SD
    executed = _executed(pg18, database, offset)
    assert len(executed) == 1, executed  # the fingerprint, and no catalog query at all

    pg18.psql(database, "ALTER TABLE public.strategic_directives_v2 ADD COLUMN tui_probe text")
    seen.clear()
    async with _app(dsn).run_test(size=(120, 36), message_hook=seen.append) as pilot:
        screen = await loaded(pilot)
        await settle(pilot, lambda: len(_loads(seen)) == 2)
        first, second = _loads(seen)
        assert first.cached is not None and second.cached is None
        assert first.catalog.table(SD).column("tui_probe") is None  # type: ignore[union-attr]
        assert screen.catalog is not None
        assert screen.catalog.table(SD).column("tui_probe") is not None  # type: ignore[union-attr]
        assert screen.selected == SD
        names = [row[0] for row in screen.query_one(ColumnsGrid).cell_texts()]
        assert "tui_probe" in names
        assert screen.query_one(ConnectionBar).status == ""
    cached = read_cached(identity, ("public",)).cached
    assert cached is not None and cached.catalog.table(SD).column("tui_probe") is not None  # type: ignore[union-attr]


async def test_no_cache_neither_reads_nor_writes(pg18: TestServer) -> None:
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    identity = ConnectionTarget(dsn, "test").identity
    async with _app(dsn, use_cache=False).run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
    assert not cache_path(identity, ("public",)).exists()


async def test_corrupt_cache_is_a_notification(pg18: TestServer) -> None:
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    path = cache_path(ConnectionTarget(dsn, "test").identity, ("public",))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json", encoding="utf-8")
    app = _app(dsn)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None  # loaded from the server, no error screen
        notes = [n.message for n in app._notifications]
        assert any("ignored" in n and "corrupt" in n for n in notes), notes
    assert read_cached(ConnectionTarget(dsn, "test").identity, ("public",)).cached is not None


async def test_classifying_runs_off_the_event_loop(
    pg18: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Domain classification of the cached and of the loaded catalog runs in a thread."""
    import threading

    from ehgtui.catalog.domains import classify
    from ehgtui.tui import catalog_source
    from ehgtui.tui.screens import explorer_workers

    classified_on: list[threading.Thread] = []

    def recording_classify(*args: Any) -> Any:
        classified_on.append(threading.current_thread())
        return classify(*args)

    monkeypatch.setattr(explorer_workers, "classify", recording_classify)  # a load's catalog
    monkeypatch.setattr(catalog_source, "classify", recording_classify)  # the cached one
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    async with _app(dsn).run_test(size=(120, 36)) as pilot:  # full load, saved to the cache
        screen = await loaded(pilot)
        assert screen.catalog is not None and screen.catalog.table(SD) is not None
    assert len(classified_on) == 1
    async with _app(dsn).run_test(size=(120, 36)) as pilot:  # the cached catalog first
        screen = await loaded(pilot)
        await settle(pilot)
        assert screen.domain_map is not None and screen.selected == SD
    assert len(classified_on) == 2
    assert threading.main_thread() not in classified_on


async def test_the_cache_is_read_while_the_screen_is_built(
    pg18: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first start resolves the target and reads the cache in a thread begun as the app
    runs, not once the explorer screen is mounted; the target is opened only once."""
    import threading

    from ehgtui.tui import catalog_source
    from ehgtui.tui.screens.main import ExplorerScreen

    events: list[tuple[str, str]] = []
    mount = ExplorerScreen.on_mount

    def recording_read(*args: Any) -> Any:
        events.append(("read", threading.current_thread().name))
        return read_cached(*args)

    def recording_mount(screen: ExplorerScreen) -> None:
        events.append(("mounted", threading.current_thread().name))
        mount(screen)

    monkeypatch.setattr(catalog_source, "read_cached", recording_read)
    monkeypatch.setattr(ExplorerScreen, "on_mount", recording_mount)
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    async with _app(dsn).run_test(size=(120, 36)) as pilot:  # full load, saved to the cache
        await loaded(pilot)
    events.clear()
    opened: list[str] = []
    target = ConnectionTarget(dsn, "test")

    def opener() -> ConnectionTarget:
        opened.append(threading.current_thread().name)
        return target

    app = build_app(opener, ("public",), Config())
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await settle(pilot)
        assert screen.selected == SD
        assert screen.query_one(ConnectionBar).status.startswith("cached")
    assert opened == ["ehgtui-early-start"]
    assert ("read", "ehgtui-early-start") in events
    assert [kind for kind, _ in events].count("read") == 1


async def test_the_width_class_is_there_before_the_first_resize(pg18: TestServer) -> None:
    """The screen is built with its breakpoint class, so no restyle waits for the first Resize."""
    from ehgtui.catalog.domain_settings import DomainSettings
    from ehgtui.tui.screens.main import ExplorerScreen

    app = _app(pg18.dsn(pg18.demo_database()), use_cache=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        target = ConnectionTarget("postgresql://h/db", "t")
        built = ExplorerScreen(lambda: target, ("public",), DomainSettings())
        assert built.has_class("-narrow") and not built.has_class("-wide")
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        wide = ExplorerScreen(lambda: target, ("public",), DomainSettings())
        assert wide.has_class("-wide") and not wide.has_class("-narrow")


async def test_a_cache_read_before_the_mount_is_shown_at_the_first_frame(
    pg18: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the early read is done by the time the screen is mounted, the cached tree is filled
    as the app draws its first frame (Textual draws nothing before), without a worker, and
    the pool is opened only after that."""
    from ehgtui.tui.messages import PoolOpened
    from ehgtui.tui.screens.main import ExplorerScreen
    from ehgtui.tui.widgets.tree.pane import TreePane

    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    async with _app(dsn).run_test(size=(120, 36)) as pilot:  # full load, saved to the cache
        await loaded(pilot)

    events: list[str] = []
    resolve, show_domains, ready = (
        ExplorerScreen._resolve_target,
        TreePane.show_domains,
        ExplorerScreen.app_ready,
    )

    def recording_resolve(screen: ExplorerScreen) -> None:
        events.append("worker")
        resolve(screen)

    def recording_show(pane: TreePane, *args: Any) -> None:
        events.append("tree")
        show_domains(pane, *args)

    def recording_ready(screen: ExplorerScreen) -> None:
        events.append("first frame")
        ready(screen)

    monkeypatch.setattr(ExplorerScreen, "_resolve_target", recording_resolve)
    monkeypatch.setattr(TreePane, "show_domains", recording_show)
    monkeypatch.setattr(ExplorerScreen, "app_ready", recording_ready)

    def record(message: Message) -> None:
        if isinstance(message, PoolOpened) and "pool" not in events:
            events.append("pool")

    app = _app(dsn)
    app._early_start.result()  # done before the app runs, so before the screen is mounted
    async with app.run_test(size=(120, 36), message_hook=record) as pilot:
        screen = await loaded(pilot)
        await settle(pilot)
        assert screen.selected == SD
        assert screen.query_one(ConnectionBar).status == "cached, just now, current"
    assert events == ["first frame", "tree", "pool"]


async def test_a_cache_still_being_read_at_the_mount_is_waited_for(
    pg18: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the screen is mounted while the early start is decoding the cache file, the app
    waits for it when ready (briefly) instead of handing the start to a worker: the first
    frame still has the tree, and no worker resolves the target."""
    import threading

    from ehgtui.tui.catalog_source import CatalogSource
    from ehgtui.tui.screens import main
    from ehgtui.tui.screens.main import ExplorerScreen
    from ehgtui.tui.widgets.tree.pane import TreePane

    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    async with _app(dsn).run_test(size=(120, 36)) as pilot:  # full load, saved to the cache
        await loaded(pilot)

    events: list[str] = []
    reading, app_is_ready = threading.Event(), threading.Event()
    read_start, on_mount, resolve, ready, show_domains = (
        CatalogSource.read_start,
        ExplorerScreen.on_mount,
        ExplorerScreen._resolve_target,
        ExplorerScreen.app_ready,
        TreePane.show_domains,
    )

    def slow_read(source: CatalogSource, *args: Any) -> Any:
        reading.set()
        app_is_ready.wait(5)  # the read is still going when the screen mounts, and after
        events.append("read")
        return read_start(source, *args)

    def recording_mount(screen: ExplorerScreen) -> None:
        reading.wait(5)  # the early start's thread is in the read
        on_mount(screen)
        events.append("mount")

    def recording_resolve(screen: ExplorerScreen) -> None:
        events.append("worker")
        resolve(screen)

    def recording_ready(screen: ExplorerScreen) -> None:
        events.append("ready")
        app_is_ready.set()
        ready(screen)
        events.append("ready done")

    def recording_show(pane: TreePane, *args: Any) -> None:
        events.append("tree")
        show_domains(pane, *args)

    # a slow machine may decode for longer than the app waits: the order is what is tested
    monkeypatch.setattr(main, "CACHE_READ_WAIT_S", 10.0)
    monkeypatch.setattr(CatalogSource, "read_start", slow_read)
    monkeypatch.setattr(ExplorerScreen, "on_mount", recording_mount)
    monkeypatch.setattr(ExplorerScreen, "_resolve_target", recording_resolve)
    monkeypatch.setattr(ExplorerScreen, "app_ready", recording_ready)
    monkeypatch.setattr(TreePane, "show_domains", recording_show)
    async with _app(dsn).run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await settle(pilot)
        assert screen.selected == SD
        assert screen.query_one(ConnectionBar).status == "cached, just now, current"
    # as when the read was over before the mount: no worker, the tree filled from app_ready
    assert events == ["mount", "ready", "read", "ready done", "tree"]


async def test_after_a_load_the_hidden_tabs_and_the_save_wait_for_its_frame(
    pg18: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold start draws the loaded tree first; mounting the hidden tabs and saving the cache
    (which holds the interpreter a while) come after that frame."""
    from ehgtui.tui.screens import explorer_workers
    from ehgtui.tui.screens.main import ExplorerScreen
    from ehgtui.tui.widgets.detail.table_detail import TableDetail
    from ehgtui.tui.widgets.tree.pane import TreePane

    events: list[str] = []
    show_domains, mount_bodies, save = (
        TreePane.show_domains,
        TableDetail.mount_bodies,
        explorer_workers.CatalogSource.save,
    )

    def recording_show(pane: TreePane, *args: Any) -> None:
        events.append("tree")
        show_domains(pane, *args)

    async def recording_mount(detail: TableDetail) -> None:
        if "bodies" not in events:
            events.append("bodies")
        await mount_bodies(detail)

    async def recording_save(source: Any, fresh: Any) -> None:
        events.append("save")
        await save(source, fresh)

    def frame(_: object) -> None:
        if events and events[-1] != "frame":
            events.append("frame")

    screen_mount = ExplorerScreen.on_mount

    def recording_screen_mount(screen: ExplorerScreen) -> None:
        # from the mount on, before anything is loaded: every layout drawn
        screen.screen_layout_refresh_signal.subscribe(screen, frame, immediate=True)
        screen_mount(screen)

    monkeypatch.setattr(TreePane, "show_domains", recording_show)
    monkeypatch.setattr(TableDetail, "mount_bodies", recording_mount)
    monkeypatch.setattr(explorer_workers.CatalogSource, "save", recording_save)
    monkeypatch.setattr(ExplorerScreen, "on_mount", recording_screen_mount)
    dsn = pg18.dsn(pg18.demo_database())
    async with _app(dsn).run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await settle(pilot)
    assert read_cached(ConnectionTarget(dsn, "test").identity, ("public",)).cached is not None
    first_tree = events.index("tree")
    assert events[first_tree + 1] == "frame", events
    assert {"bodies", "save"} <= set(events[first_tree + 2 :])
