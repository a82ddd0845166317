"""Replies → WhatsApp messages: WhatsApp text formatting, reply buttons, list messages, or
numbered choices to type, within the Cloud API limits.

- at most 3 choices whose titles fit 20 characters → reply buttons;
- a first row of 2–3 choices plus a few more (RSVP + "add to calendar") → reply buttons for the
  first row and the others numbered in the text after them (typed number or word): the buttons
  count as 1…n, so the text's numbers start at n+1 and a typed number is never ambiguous;
- up to 10 choices (titles ≤ 24) → a list message;
- more (a 0–10 scale, long choice lists) → the choices numbered in the text, answered by typing.
Long labels use their shorter WhatsApp form (`messages/<lang>/whatsapp.toml`, `[whatsapp.short]`)
and are cut with "…" only as a last resort. Links (URL buttons) go into the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from bot.models import Attachment, Button, Reply
from messages import catalog, t

MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_CAPTION = 1024


# Catalog keys whose texts are button labels (and so may reach WhatsApp as reply-button
# titles or list rows); checked against the limits by tests/test_whatsapp_limits.py.
LABEL_KEYS = re.compile(r"^(button\.|rsvp\.(yes|no|maybe)$|meeting\.(cancel_yes|cancel_no|field_\w+)$"
                        r"|(?!error\.|demo\.).*_button$|survey\.(button|choice)\."
                        r"|coplan\.(similar_(merge|coauthor|keep)|consent_(agree|reservation|object)|use_dates"
                        r"|own_dates|agree|disagree|pass|argue_(for|against)|revise|merge|withdraw|record_fate"
                        r"|step_\w+|outcome_\w+|amend|amendment_(accept|reject))$)")


@dataclass(frozen=True)
class Remembered:
    """A choice she may answer by typing its number or its words."""

    number: int | None
    label: str
    choice: str


@dataclass
class Outgoing:
    """One Cloud API message."""

    kind: Literal["text", "buttons", "list", "document", "image"]
    body: str
    buttons: list[tuple[str, str]] = field(default_factory=list)           # (id, title)
    rows: list[tuple[str, str, str | None]] = field(default_factory=list)   # (id, title, description)
    list_button: str = ""
    list_section: str = ""
    attachment: Attachment | None = None


@dataclass
class Rendered:
    messages: list[Outgoing]
    remembered: list[Remembered]


_TAGS = [(re.compile(r"</?b>"), "*"), (re.compile(r"</?i>"), "_"), (re.compile(r"</?code>"), "`")]
_LINK = re.compile(r'<a\s+href="([^"]*)">(.*?)</a>', re.S)
_ANY_TAG = re.compile(r"<[^>]+>")


# A slash command named in a text (`/yardim`, `(/rapor)`, `<code>/anket</code>`): not a
# date or fraction (`1/6`, `ve/veya`: a letter or digit before the slash), not a URL path.
_COMMAND = re.compile(r"(?:(?<=^)|(?<=[\s(«\"'“‘>]))/([a-zçğıöşü][a-zçğıöşü_]*)(?![\w/])", re.MULTILINE)
_OPEN_TAG = re.compile(r"<(/?)(b|code)>")


def command_words(text: str) -> str:
    """`/rapor` → `<b>rapor</b>` (WhatsApp has no slash commands: she types the word, which the
    bot reads as the command; `/rapor` typed still works). Inside bold or code the word is
    left plain, so WhatsApp's `*…*` never nests."""
    def word(match: re.Match[str]) -> str:
        depth = 0
        for tag in _OPEN_TAG.finditer(text, 0, match.start()):
            depth += -1 if tag.group(1) else 1
        return match.group(1) if depth > 0 else f"<b>{match.group(1)}</b>"

    return _COMMAND.sub(word, text)


def whatsapp_text(text: str) -> str:
    """Our HTML subset → WhatsApp formatting: *bold*, _italic_, `code`; links as "text (url)";
    slash commands as the words she types (`command_words`)."""
    def link(match: re.Match[str]) -> str:
        url, label = html.unescape(match.group(1)), match.group(2)
        return url if _ANY_TAG.sub("", label).strip() in ("", url) else f"{label} ({url})"

    text = _LINK.sub(link, text)
    text = command_words(text)
    for pattern, mark in _TAGS:
        text = pattern.sub(mark, text)
    return html.unescape(_ANY_TAG.sub("", text))


@cache
def _short_forms(lang: str) -> dict[str, str]:
    table = catalog(lang)
    prefix = "whatsapp.short."
    return {table[key[len(prefix):]]: value for key, value in table.items()
            if key.startswith(prefix) and key[len(prefix):] in table}


def fit(label: str, limit: int, lang: str) -> str:
    """The label as WhatsApp shows it within `limit` characters (shorter form, else cut)."""
    label = whatsapp_text(label).strip()
    if len(label) <= limit:
        return label
    shorts = _short_forms(lang)
    if label in shorts:
        label = shorts[label]
    elif label.startswith("• ") and label.endswith(" •") and label[2:-2] in shorts:
        label = f"• {shorts[label[2:-2]]} •"
    if len(label) <= limit:
        return label
    return label[:limit - 1].rstrip() + "…"


def _unique(titles: list[str], limit: int) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for title in titles:
        count = seen.get(title, 0)
        seen[title] = count + 1
        if count:
            suffix = f" ({count + 1})"
            title = title[:limit - len(suffix)] + suffix
        result.append(title)
    return result


def _numbered(choices: list[Button], start: int) -> tuple[list[str], list[Remembered]]:
    labels = [whatsapp_text(button.label).strip() for button in choices]
    if all(label.isdigit() for label in labels):  # a 0–10 scale: the label is what she types
        return [" · ".join(labels)], [Remembered(None, label, button.choice or "")
                                      for label, button in zip(labels, choices, strict=True)]
    lines, remembered = [], []
    for number, button in enumerate(choices, start=start):
        label = whatsapp_text(button.label).strip()
        lines.append(f"*{number}.* {label}")
        remembered.append(Remembered(number, label, button.choice or ""))
    return lines, remembered


def render(reply: Reply, lang: str) -> Rendered:
    """The WhatsApp messages for one reply and the choices she may type."""
    body = whatsapp_text(reply.text)
    flat = [button for row in reply.buttons for button in row]
    links = [button for button in flat if button.url]
    choices = [button for button in flat if button.choice]
    if links:
        body += "\n\n" + "\n".join(f"{whatsapp_text(b.label)}: {b.url}" for b in links)
    messages: list[Outgoing] = []
    remembered: list[Remembered] = []
    if reply.attachment is not None:
        caption_fits = not choices and len(body) <= MAX_CAPTION
        messages.append(Outgoing(kind="image" if reply.attachment.kind == "photo" else "document",
                                 body=body if caption_fits else "", attachment=reply.attachment))
        if caption_fits:
            return Rendered(messages, remembered)
        if not choices:
            return Rendered([Outgoing(kind="text", body=part) for part in split(body)] + messages, remembered)
    if not choices:
        return Rendered([Outgoing(kind="text", body=part) for part in split(body)], remembered)

    first = [b for b in reply.buttons[0] if b.choice] if reply.buttons else []
    button_titles = [fit(b.label, MAX_BUTTON_TITLE, lang) for b in choices]
    if len(choices) <= MAX_REPLY_BUTTONS:
        interactive = Outgoing(kind="buttons", body="", buttons=list(zip(
            [b.choice or "" for b in choices], _unique(button_titles, MAX_BUTTON_TITLE), strict=True)))
        remembered = [Remembered(None, title, b.choice or "") for b, title in zip(choices, button_titles, strict=True)]
    elif 2 <= len(first) <= MAX_REPLY_BUTTONS and len(reply.buttons) > 1 and len(choices) - len(first) <= 5:
        rest = choices[len(first):]
        titles = [fit(b.label, MAX_BUTTON_TITLE, lang) for b in first]
        interactive = Outgoing(kind="buttons", body="", buttons=list(zip(
            [b.choice or "" for b in first], _unique(titles, MAX_BUTTON_TITLE), strict=True)))
        # One numbering for what she sees: the reply buttons are 1…n in their order (a button
        # whose title is a number is that number), the choices in the text continue after them.
        start = max([len(first), *(int(title) for title in titles if title.isdigit())]) + 1
        lines, remembered = _numbered(rest, start=start)
        remembered = [Remembered(int(title) if title.isdigit() else position, title, b.choice or "")
                      for position, (b, title) in enumerate(zip(first, titles, strict=True), start=1)] + remembered
        body += "\n\n" + t("whatsapp.more_choices", lang) + "\n" + "\n".join(lines)
    elif len(choices) <= MAX_LIST_ROWS:
        rows = []
        for button in choices:
            full = whatsapp_text(button.label).strip()
            title = fit(button.label, MAX_ROW_TITLE, lang)
            description = button.description or (full if title.endswith("…") else None)
            description = whatsapp_text(description)[:MAX_ROW_DESCRIPTION] if description else None
            rows.append((button.choice or "", title, description))
            remembered.append(Remembered(None, full, button.choice or ""))
        titles = _unique([row[1] for row in rows], MAX_ROW_TITLE)
        interactive = Outgoing(kind="list", body="", rows=[(r[0], title, r[2]) for r, title in zip(rows, titles, strict=True)],
                               list_button=fit(t("whatsapp.list_button", lang), MAX_BUTTON_TITLE, lang),
                               list_section=fit(t("whatsapp.list_section", lang), MAX_ROW_TITLE, lang))
    else:
        lines, remembered = _numbered(choices, start=1)
        text = body + "\n\n" + "\n".join(lines) + "\n\n" + whatsapp_text(t("whatsapp.type_number", lang))
        return Rendered(messages + [Outgoing(kind="text", body=part) for part in split(text)], remembered)

    if len(body) <= MAX_INTERACTIVE_BODY:
        interactive.body = body
    else:  # the text alone, then the choices under a short line
        messages += [Outgoing(kind="text", body=part) for part in split(body)]
        interactive.body = whatsapp_text(t("whatsapp.pick_below", lang))
    messages.append(interactive)
    return Rendered(messages, remembered)


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at line breaks so every part stays within the text body limit."""
    if len(text) <= limit:
        return [text] if text.strip() else []
    parts, current = [], ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            parts.append(current)
            current = line
        else:
            current = candidate
        while len(current) > limit:
            parts.append(current[:limit])
            current = current[limit:]
    if current.strip():
        parts.append(current)
    return parts


def fewer_messages(replies: list[Reply]) -> list[Reply]:
    """The same replies in fewer WhatsApp messages (each one is billed): a plain text (no
    buttons, no file, not an edit or a recheckable reminder) is joined to the reply after it
    when the two still fit one message — 4096 characters, or 1024 when the next carries
    choices (an interactive body). "Welcome" + "the commands" become one message; a question
    keeps its buttons under the joined text."""
    merged: list[Reply] = []
    for reply in replies:
        previous = merged[-1] if merged else None
        if previous is not None and _joinable(previous, reply):
            merged[-1] = reply.model_copy(update={"text": previous.text + "\n\n" + reply.text})
        else:
            merged.append(reply)
    return merged


def _joinable(first: Reply, second: Reply) -> bool:
    if first.buttons or first.attachment or first.edit_of or first.recheck:
        return False
    if second.attachment or second.edit_of or second.recheck:
        return False
    has_choices = any(button.choice for row in second.buttons for button in row)
    limit = MAX_INTERACTIVE_BODY if has_choices else MAX_TEXT
    links = sum(len(button.label) + len(button.url or "") + 3 for row in second.buttons for button in row if button.url)
    return len(whatsapp_text(first.text)) + 2 + len(whatsapp_text(second.text)) + links <= limit
