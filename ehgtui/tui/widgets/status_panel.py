"""What the explorer shows before the catalog is there: loading, or the failure and Retry."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, LoadingIndicator, Static

from ehgtui.tui.safe import safe_content


class StatusPanel(Vertical):
    """A loading indicator with a status line, or a one-line error with a Retry button.

    The reason is always one line from ConnectError/CatalogError/DsnError/ServerError (or the
    first line of anything else): never a traceback.
    """

    DEFAULT_CSS = """
    StatusPanel {
        align: center middle;
        & > LoadingIndicator { height: 3; }
        & > #status-message { width: 100%; text-align: center; padding: 0 2; }
        & > Center > Button { margin-top: 1; }
        & > Center { display: none; }
        &.-failed > Center { display: block; }
        &.-failed > LoadingIndicator { display: none; }
        &.-failed > #status-message { color: $error; text-style: bold; }
    }
    """

    message: reactive[str] = reactive("starting…", init=False)
    """The status line, or the failure reason when `failed`."""
    failed: reactive[bool] = reactive(False, init=False)
    """Whether the last attempt failed (shows the Retry button)."""

    class RetryPressed(Message):
        """The user asked to try connecting/loading again."""

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Static(safe_content(self.message, multiline=True), id="status-message")
        # the Retry button is mounted at the first failure: most starts never fail, and a
        # Button is the costliest widget of the screen to style (its CSS alone is 7 kB)
        yield Center()

    def watch_message(self, message: str) -> None:
        # the message may quote the server (a failed load names tables): never markup
        self.query_one("#status-message", Static).update(safe_content(message, multiline=True))

    def watch_failed(self, failed: bool) -> None:
        self.set_class(failed, "-failed")
        if failed and not self.query("#retry"):
            self.query_one(Center).mount(Button("Retry (r)", id="retry", variant="primary"))

    @on(Button.Pressed, "#retry")
    def _retry(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.RetryPressed())
