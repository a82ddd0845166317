"""The checks the Cloud API makes on a sent message, as `GraphError`s (code 131009/100)."""

from __future__ import annotations

from typing import Any

from bot.emulator.whatsapp.records import (
    MAX_BUTTON_TITLE,
    MAX_CAPTION,
    MAX_INTERACTIVE_BODY,
    MAX_LIST_BUTTON,
    MAX_LIST_ROWS,
    MAX_REPLY_BUTTONS,
    MAX_ROW_DESCRIPTION,
    MAX_ROW_TITLE,
    MAX_TEXT_BODY,
    Choice,
    GraphError,
)

INVALID = 131009  # "Parameter value is not valid"


def _bad(details: str) -> GraphError:
    return GraphError(INVALID, "Parameter value is not valid", details=details)


def text_body(payload: dict[str, Any]) -> str:
    body = str((payload.get("text") or {}).get("body", ""))
    if not body.strip():
        raise _bad("text.body is required")
    if len(body) > MAX_TEXT_BODY:
        raise _bad(f"text.body is longer than {MAX_TEXT_BODY} characters")
    return body


def interactive(payload: dict[str, Any]) -> tuple[str, list[Choice], list[Choice], str | None]:
    """(body, reply buttons, list rows, list button) of an interactive message."""
    data = payload.get("interactive") or {}
    body = str((data.get("body") or {}).get("text", ""))
    if not body.strip():
        raise _bad("interactive.body.text is required")
    if len(body) > MAX_INTERACTIVE_BODY:
        raise _bad(f"interactive.body.text is longer than {MAX_INTERACTIVE_BODY} characters")
    action = data.get("action") or {}
    if data.get("type") == "button":
        buttons = [Choice(b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])]
        if not 1 <= len(buttons) <= MAX_REPLY_BUTTONS:
            raise _bad(f"buttons: between 1 and {MAX_REPLY_BUTTONS} reply buttons allowed, got {len(buttons)}")
        for button in buttons:
            if not button.title.strip() or len(button.title) > MAX_BUTTON_TITLE:
                raise _bad(f"button title {button.title!r} must be 1-{MAX_BUTTON_TITLE} characters")
            if len(button.id) > 256:
                raise _bad("button id is longer than 256 characters")
        if len({b.title for b in buttons}) != len(buttons):
            raise _bad("button titles must be unique")
        return body, buttons, [], None
    if data.get("type") == "list":
        button = str(action.get("button", ""))
        if not button.strip() or len(button) > MAX_LIST_BUTTON:
            raise _bad(f"list button {button!r} must be 1-{MAX_LIST_BUTTON} characters")
        rows = [Choice(r["id"], r["title"], r.get("description"))
                for section in action.get("sections", []) for r in section.get("rows", [])]
        if not 1 <= len(rows) <= MAX_LIST_ROWS:
            raise _bad(f"list: between 1 and {MAX_LIST_ROWS} rows allowed, got {len(rows)}")
        for row in rows:
            if not row.title.strip() or len(row.title) > MAX_ROW_TITLE:
                raise _bad(f"row title {row.title!r} must be 1-{MAX_ROW_TITLE} characters")
            if row.description and len(row.description) > MAX_ROW_DESCRIPTION:
                raise _bad(f"row description is longer than {MAX_ROW_DESCRIPTION} characters")
            if len(row.id) > 200:
                raise _bad("row id is longer than 200 characters")
        if len({r.id for r in rows}) != len(rows):
            raise _bad("row ids must be unique")
        return body, [], rows, button
    raise _bad(f"unsupported interactive type {data.get('type')!r}")


def caption(payload: dict[str, Any], kind: str) -> str:
    text = str((payload.get(kind) or {}).get("caption", "") or "")
    if len(text) > MAX_CAPTION:
        raise _bad(f"{kind}.caption is longer than {MAX_CAPTION} characters")
    return text
