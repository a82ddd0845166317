"""A bot message as readable terminal text: formatting rendered, buttons numbered."""

from __future__ import annotations

import html
import re
from pathlib import Path

from bot.emulator.bot_api import SentMessage

BOLD, ITALIC, RESET = "\033[1m", "\033[3m", "\033[0m"


def styled(message: SentMessage, color: bool) -> str:
    """The visible text with bold/italic entities as ANSI styles (offsets are UTF-16)."""
    text = message.text or ""
    if not color or not message.entities:
        return text
    encoded = text.encode("utf-16-le")
    marks: dict[int, list[str]] = {}
    for entity in message.entities:
        style = {"bold": BOLD, "italic": ITALIC}.get(str(entity.get("type")))
        if style is None:
            continue
        start, end = int(entity["offset"]), int(entity["offset"]) + int(entity["length"])
        marks.setdefault(start, []).append(style)
        marks.setdefault(end, []).append(RESET)
    out, last = [], 0
    for position in sorted(marks):
        out.append(encoded[last * 2:position * 2].decode("utf-16-le", errors="ignore"))
        out.extend(marks[position])
        last = position
    out.append(encoded[last * 2:].decode("utf-16-le", errors="ignore"))
    return "".join(out)


def render(message: SentMessage, *, color: bool, first_button: int, saved: Path | None,
           edited_label: str, saved_label: str) -> str:
    """`🤖 text`, indented; buttons as `[n] label`; a saved file's path."""
    lines = [("🤖 " + (f"({edited_label}) " if message.edited else "")) + styled(message, color)
             .replace("\n", "\n   ")]
    if saved is not None:
        lines.append(f"   📎 {saved_label}: {saved}")
    number = first_button
    for row in message.buttons:
        cells = []
        for button in row:
            cells.append(f"[{number}] {button.text}")
            number += 1
        lines.append("   " + "   ".join(cells))
    return "\n".join(lines)


def button_count(message: SentMessage) -> int:
    return sum(len(row) for row in message.buttons)


_TAGS = re.compile(r"</?(b|i|code)>")


def terminal_text(markup: str, color: bool) -> str:
    """Catalog markup (<b>, <i>, <code>) as ANSI styles, or plain text without a colour terminal."""
    def style(match: re.Match[str]) -> str:
        if not color:
            return ""
        return RESET if match.group(0).startswith("</") else {"b": BOLD, "i": ITALIC, "code": BOLD}[match.group(1)]

    return html.unescape(_TAGS.sub(style, markup))
