"""The checks Telegram makes on what a bot sends, answered with Telegram's own error strings."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from bot.emulator.telegram.markup import (
    MarkupError,
    ParsedText,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
)

JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_CALLBACK_ANSWER = 200

_INLINE_ACTIONS = (
    "callback_data", "url", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
    "pay", "web_app", "copy_text",
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_NOT_A_BUTTON = "can't parse inline keyboard button: InlineKeyboardButton must be an Object"


class ApiError(Exception):
    """An error answer of the Bot API: `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSON:
        data: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            data["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            data["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return data


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def default_description(code: int, retry_after: int | None = None) -> str:
    """The description Telegram uses for an error code when nothing more specific applies."""
    if code == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    if code == 403:
        return "Forbidden: bot was blocked by the user"
    if code == 400:
        return "Bad Request"
    if code == 401:
        return "Unauthorized"
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return f"Error {code}"


def parse_formatted(
    text: str, parse_mode: str | None, entities: Any, *, strict_html: bool
) -> ParsedText:
    """The visible text and entities of `text` sent with `parse_mode` (or explicit entities)."""
    mode = (parse_mode or "").strip()
    try:
        if not mode:
            return ParsedText(text, list(entities) if isinstance(entities, list) else [])
        lowered = mode.lower()
        if lowered == "html":
            return parse_html(text, strict=strict_html)
        if lowered == "markdownv2":
            return parse_markdown_v2(text)
        if lowered == "markdown":
            return parse_markdown(text)
    except MarkupError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    raise bad_request(f"unsupported parse_mode \"{mode}\"")


def check_text(
    text: Any, parse_mode: str | None, entities: Any, *, strict_html: bool
) -> ParsedText:
    """A message text: non-empty, parseable, at most 4096 characters once entities are parsed."""
    if text is None or not str(text).strip():
        raise bad_request("message text is empty")
    parsed = parse_formatted(str(text), parse_mode, entities, strict_html=strict_html)
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return parsed


def check_caption(
    caption: Any, parse_mode: str | None, entities: Any, *, strict_html: bool
) -> ParsedText | None:
    """A media caption: optional, parseable, at most 1024 characters once entities are parsed."""
    if caption is None or str(caption) == "":
        return None
    parsed = parse_formatted(str(caption), parse_mode, entities, strict_html=strict_html)
    if len(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return parsed


def check_reply_markup(markup: Any) -> JSON | None:
    """Validate reply_markup; returns it (as a dict) or None when absent."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(_NOT_A_BUTTON)
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(_NOT_A_BUTTON)
            text = button.get("text")
            if not isinstance(text, str):
                raise bad_request(
                    "can't parse inline keyboard button: Field \"text\" must be of type String"
                )
            actions = [name for name in _INLINE_ACTIONS if button.get(name) is not None]
            if not text.strip() or not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None:
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not _is_button_url(url):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _is_button_url(url: Any) -> bool:
    return (
        isinstance(url, str)
        and bool(url)
        and not any(ch.isspace() for ch in url)
        and ("://" in url or "." in url or url.startswith("tg:"))
    )


def _check_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            "can't parse keyboard button: KeyboardButton must be a String or an Object"
        )
    for row in rows:
        for button in row:
            text = button if isinstance(button, str) else (button or {}).get("text")
            if not isinstance(text, str) or not text.strip():
                raise bad_request("can't parse keyboard button: Text must be non-empty")


def check_commands(commands: Any) -> list[JSON]:
    """setMyCommands' list: lower-case 1-32 character names, 1-256 character descriptions."""
    if commands is None:
        commands = []
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned: list[JSON] = []
    for command in commands:
        if not isinstance(command, dict) or "command" not in command:
            raise bad_request("can't parse BotCommand: Can't find field \"command\"")
        if "description" not in command:
            raise bad_request("can't parse BotCommand: Can't find field \"description\"")
        name = str(command["command"])
        description = str(command["description"])
        if not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not description.strip():
            raise bad_request("command description must be non-empty")
        if len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    return cleaned


def scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
    """The key commands are stored under: a canonical scope and a language code ('' = all)."""
    if scope in (None, ""):
        scope = {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    valid = {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
        "chat_administrators", "chat_member",
    }
    if scope["type"] not in valid:
        raise bad_request("unsupported bot command scope type")
    language = str(language_code or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    canonical = ",".join(f"{k}={scope[k]}" for k in sorted(scope))
    return canonical, language
