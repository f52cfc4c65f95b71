"""Database text as Textual Content and Rich Text: never parsed as markup, controls made visible.

Every label, cell, notification and palette entry that shows a name, a comment, an expression,
a row value or task output is built here (or from `ehgtui.safe_text.visible`), never from a
markup string: a table named `[/]` or `[@click=app.quit]x[/]` is text, and an ESC in it reads
`\\x1b`, in the token style below so that it stands out from a backslash typed by someone.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from ehgtui.safe_text import has_unsafe, visible, visible_parts

TOKEN_STYLE = Style(reverse=True)
"""How a token standing for a control or bidi character is drawn (not colour alone)."""

_TOKEN_CONTENT_STYLE = "reverse"


def safe_content(text: str, *, multiline: bool = False) -> Content:
    """Text as Content: no markup, each unsafe character a token in reverse video."""
    if not has_unsafe(text, multiline=multiline):
        return Content(text)
    return Content.assemble(
        *(
            (piece, _TOKEN_CONTENT_STYLE) if is_token else piece
            for piece, is_token in visible_parts(text, multiline=multiline)
        )
    )


def safe_text(text: str, *, multiline: bool = False, style: str | Style = "") -> Text:
    """Text as Rich Text: no markup, each unsafe character a token in reverse video."""
    if not has_unsafe(text, multiline=multiline):
        return Text(text, style=style)
    result = Text(style=style)
    for piece, is_token in visible_parts(text, multiline=multiline):
        result.append(piece, TOKEN_STYLE if is_token else None)
    return result


def safe_rich_text(text: Text, *, multiline: bool = False) -> Text:
    """A Rich Text (already styled) with its unsafe characters turned into tokens.

    The pieces between unsafe characters keep their spans; each token takes the token style.
    """
    if not has_unsafe(text.plain, multiline=multiline):
        return text
    cuts: list[int] = []
    for index, char in enumerate(text.plain):
        if has_unsafe(char, multiline=multiline):
            cuts += [index, index + 1]
    pieces = text.divide(cuts)
    rebuilt = [
        Text(visible(piece.plain, multiline=multiline), style=TOKEN_STYLE)
        if len(piece.plain) == 1 and has_unsafe(piece.plain, multiline=multiline)
        else piece
        for piece in pieces
    ]
    return Text("", style=text.style).join(rebuilt)


def safe_highlight(matcher: Matcher, text: str) -> Content:
    """A palette entry: `text` made safe, with the letters the fuzzy query matched highlighted.

    Textual's `Matcher.highlight` parses its argument as markup: a table named
    `[@click=app.quit]x[/]` would become a link that quits. This highlights the same letters
    on plain Content instead.
    """
    shown = visible(text)
    content = safe_content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, shown)
    if not score:
        return content
    for offset in offsets:
        if not shown[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def safe_help(text: str | None) -> str | None:
    """A palette entry's help line: Textual parses it as markup, so it is escaped as well."""
    return None if text is None else escape(visible(text))
