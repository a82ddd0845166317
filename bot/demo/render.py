"""A bot message as readable terminal text: formatting rendered, links shown, buttons numbered."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import TextIO

from bot.emulator.telegram.server import SentMessage
from bot.emulator.telegram.records import Button

RESET = "\033[0m"
STYLES = {"bold": "\033[1m", "italic": "\033[3m", "underline": "\033[4m", "strikethrough": "\033[9m",
          "code": "\033[36m", "pre": "\033[36m", "text_link": "\033[4m"}
INDENT = "   "


def supports_color(stream: TextIO) -> bool:
    """ANSI styles only on a terminal that wants them (https://no-color.org, TERM=dumb)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def styled(message: SentMessage, color: bool) -> str:
    """The visible text with entities as ANSI styles; a link's address follows its text.

    Entity offsets count UTF-16 code units, as in the Bot API.
    """
    text = message.text or ""
    entities = [entity for entity in message.entities if entity.get("type") in STYLES]
    if not entities:
        return text
    units = text.encode("utf-16-le")
    spans = [(int(e["offset"]), int(e["offset"]) + int(e["length"]), e) for e in entities]
    cuts = sorted({0, len(units) // 2, *(start for start, _, _ in spans), *(end for _, end, _ in spans)})
    out: list[str] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        piece = units[start * 2:end * 2].decode("utf-16-le", errors="ignore")
        active = [e for s, stop, e in spans if s <= start and end <= stop]
        if color and active:
            out.append("".join(STYLES[str(e["type"])] for e in active) + piece + RESET)
        else:
            out.append(piece)
        for s, stop, entity in spans:  # after a link's text, where it goes
            url = entity.get("url")
            if stop == end and entity.get("type") == "text_link" and url and url != _text_of(units, s, stop):
                out.append(f" ({url})")
    return "".join(out)


def _text_of(units: bytes, start: int, end: int) -> str:
    return units[start * 2:end * 2].decode("utf-16-le", errors="ignore")


def choices(message: SentMessage) -> list[Button]:
    """The buttons that can be pressed, in the order they are numbered (link buttons open a page)."""
    return [button for row in message.buttons for button in row if button.callback_data is not None]


def render(message: SentMessage, *, color: bool, saved: Path | None, edited_label: str,
           saved_label: str, to: str | None = None) -> str:
    """`🤖 text` (indented), `📎 saved: path` for a file, buttons as `[n] label`, links as `🔗`."""
    head = "🤖 " + (f"→ {to}: " if to else "") + (f"({edited_label}) " if message.edited else "")
    lines = [head + styled(message, color).replace("\n", "\n" + INDENT)]
    if saved is not None:
        lines.append(f"{INDENT}📎 {saved_label}: {saved}")
    number = 0
    for row in message.buttons:
        cells = []
        for button in row:
            if button.callback_data is None:
                cells.append(f"🔗 {button.text}: {button.url}")
            else:
                number += 1
                cells.append(f"[{number}] {button.text}")
        lines.append(INDENT + "   ".join(cells))
    return "\n".join(lines)


_TAGS = re.compile(r"</?(b|i|u|s|code)>")


def terminal_text(markup: str, color: bool) -> str:
    """Catalog markup (<b>, <i>, <code>...) as ANSI styles, or plain text without colour."""
    names = {"b": "bold", "i": "italic", "u": "underline", "s": "strikethrough", "code": "code"}

    def style(match: re.Match[str]) -> str:
        if not color:
            return ""
        return RESET if match.group(0).startswith("</") else STYLES[names[match.group(1)]]

    return html.unescape(_TAGS.sub(style, markup))
