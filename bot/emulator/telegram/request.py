"""Reading Bot API parameters the way Telegram accepts them: query, form, multipart or JSON."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.emulator.telegram.records import UploadedFile
from bot.emulator.telegram.validation import ApiError

JSON = dict[str, Any]

# Parameters whose value is a plain string even when it looks like a number or JSON.
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token",
    "language_code", "action", "inline_message_id", "file_id", "title", "description",
    "short_description", "name", "query", "ip_address", "business_connection_id",
    "message_effect_id", "emoji", "question", "explanation", "custom_title", "invite_link",
    "payload", "filename", "document", "photo", "audio", "video", "voice", "animation",
    "sticker", "thumbnail", "address", "phone_number", "first_name", "last_name",
    "vcard", "foursquare_id", "google_place_id", "certificate", "media",
})


def decode_value(name: str, value: Any) -> Any:
    """JSON-decode a form value unless it is a string parameter (PTB JSON-encodes non-strings)."""
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    if not value:
        return value
    if value[0] in "{[" or value in ("true", "false") or _looks_numeric(value):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _looks_numeric(value: str) -> bool:
    body = value[1:] if value[0] == "-" else value
    return body.replace(".", "", 1).isdigit()


async def read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Parameters (values decoded) and uploaded files of one API request."""
    params: JSON = {}
    files: dict[str, UploadedFile] = {}
    for key, value in request.query.items():
        params[key] = decode_value(key, value)
    if request.method != "POST" or not request.body_exists:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected as request body")
        for key, value in body.items():
            params[key] = decode_value(key, value)
        return params, files
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
                value.file.close()
            else:
                params[key] = decode_value(key, value)
    return params, files
