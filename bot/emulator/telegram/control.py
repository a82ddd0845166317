"""A small HTTP control API, so another process (a terminal chat, curl) can play the users.

    POST /_emulator/send_text     {"user": {"id": 1, "first_name": "Ayşe"}, "text": "/start"}
    POST /_emulator/press_button  {"user": {...}, "message_id": 5, "button": "rsvp:1:yes"}
    (both take an optional "chat_id" for a group)
    POST /_emulator/block         {"user_id": 1}
    POST /_emulator/send_raw      {"user": {...}, "fields": {"text": "a\\ud83d"}}  (a message made of
                                  exactly these fields: one no library can parse or store)
    GET  /_emulator/messages?chat_id=1&after=0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.emulator.telegram.records import FakeUser, SentMessage

if TYPE_CHECKING:
    from bot.emulator.telegram.server import FakeBotApi


def _user(data: Any) -> FakeUser:
    if not isinstance(data, dict) or "id" not in data:
        raise ValueError('"user" must be an object with an "id"')
    return FakeUser(
        int(data["id"]), str(data.get("first_name") or f"User {data['id']}"),
        data.get("language_code", "tr"), data.get("username"), data.get("last_name"),
    )


def message_summary(message: SentMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "kind": message.kind,
        "text": message.text,
        "buttons": [[b.__dict__ for b in row] for row in message.buttons],
        "document_name": message.document_name,
        "edited": message.edited,
        "deleted": message.deleted,
    }


async def handle_control(server: FakeBotApi, request: web.Request, action: str) -> web.Response:
    """Run one control action; errors come back as 400 with a readable message."""
    try:
        if request.method == "GET" and action == "messages":
            chat_id = int(request.query["chat_id"])
            after = int(request.query.get("after", "0"))
            found = [message_summary(m) for m in server.messages(chat_id) if m.message_id > after]
            return web.json_response({"ok": True, "messages": found})
        body = await request.json() if request.body_exists else {}
        chat_id = body.get("chat_id")
        if action == "send_text":
            update_id = await server.send_text(
                _user(body.get("user")), str(body["text"]), chat_id=chat_id
            )
        elif action == "press_button":
            update_id = await server.press_button(
                _user(body.get("user")), int(body["message_id"]), str(body["button"]),
                chat_id=chat_id,
            )
        elif action == "send_raw":
            fields = body.get("fields")
            if not isinstance(fields, dict):
                raise ValueError('"fields" must be an object')
            update_id = server.send_raw(_user(body.get("user")), fields, chat_id=chat_id,
                                        kind=str(body.get("kind") or "message"))
        elif action == "block":
            update_id = server.block(int(body["user_id"]))
        else:
            return web.json_response({"ok": False, "description": "unknown action"}, status=404)
    except (KeyError, ValueError, TypeError, AssertionError) as exc:
        return web.json_response({"ok": False, "description": str(exc)}, status=400)
    return web.json_response({"ok": True, "update_id": update_id})
