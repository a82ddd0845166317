"""A fake WhatsApp Cloud (Graph) API for tests and the local demo.

pywa talks to it over HTTP on 127.0.0.1 (`KOORDINAT_WHATSAPP_API_URL=server.base_url`). It
answers `POST /v{version}/{phone_number_id}/messages` like graph.facebook.com, enforcing what
the real one rejects (at most 3 reply buttons with titles ≤ 20 characters, list messages with
at most 10 rows and titles ≤ 24, body lengths, approved templates and their parameter count,
free-form messages outside the 24-hour window → 131047, too many messages to one person → 131056),
and can be told to answer with other errors (130429, 131026, 1320xx). It uploads and serves media
(`POST /{phone}/media`, `GET /{media_id}` → a URL valid 5 minutes, then the bytes), accepting
only Meta's supported media types within their sizes (else error #100, as Meta answers), and
acts as people: it POSTs webhook payloads signed with X-Hub-Signature-256 (HMAC-SHA256 of the
raw body with the app secret) to the bot's webhook, exactly as Meta does.

Recipients: `to` is a phone number (wa_id); a business-scoped user id (any documented shape,
letters included) goes in `recipient`; `recipient_type: group` needs a group this business
created (none here). Like Meta, it can fail a message *after* answering 200: `fail_later(code,
user)` queues a signed `statuses[].status = "failed"` webhook with `errors[]`, posted by
`flush_statuses()` (or at once when `auto_statuses` is set, as in the demo).

    async with FakeGraphApi(now=clock_seconds) as graph:
        graph.webhook_url = "http://127.0.0.1:8443/whatsapp"
        ayse = graph.user("Ayşe", phone="905321234567")
        await graph.send_text(ayse, "katıl AbC123")
        picker = await graph.wait_for_message(ayse)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulator.whatsapp import validation
from bot.emulator.whatsapp.records import (
    BSUID,
    ERRORS,
    MEDIA_TYPES,
    WINDOW_SECONDS,
    FakeWaUser,
    GraphError,
    WaMessage,
)
from messages import whatsapp_templates
from bot.emulator.waits import DEFAULT_WAIT

__all__ = ["FakeGraphApi", "FakeWaUser", "GraphError", "WaMessage", "sign"]

MEDIA_URL_SECONDS = 300  # "The URL is valid for 5 minutes" (Cloud API media reference)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _body(payload: Any) -> bytes:
    """UTF-8 JSON; text holding a lone UTF-16 surrogate (no UTF-8 form) as `\\ud83d` escapes."""
    try:
        return _dumps(payload).encode()
    except UnicodeEncodeError:
        return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()


def sign(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 header Meta sends: `sha256=` + HMAC-SHA256(app secret, raw body)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class FakeGraphApi:
    """See the module docstring."""

    def __init__(self, *, token: str = "FAKE-WA-TOKEN", phone_number_id: str = "106540352242922",
                 app_secret: str = "fake-app-secret", verify_token: str = "fake-verify-token",
                 host: str = "127.0.0.1", port: int = 0, now: Callable[[], float] = time.time,
                 pair_burst: int = 10, pair_seconds: float = 6.0, enforce_window: bool = True) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.webhook_url: str | None = None
        self._host, self._port = host, port
        self._now = now
        self.pair_burst, self.pair_seconds = pair_burst, pair_seconds
        self.enforce_window = enforce_window
        self.sent: list[WaMessage] = []
        self.rejected: list[tuple[str, GraphError]] = []  # (recipient, error)
        self.users: dict[str, FakeWaUser] = {}
        self.last_inbound: dict[str, float] = {}
        self._pair: dict[str, deque[float]] = defaultdict(deque)
        self._planned: dict[str, deque[int]] = defaultdict(deque)  # recipient ("*": anyone) → codes
        self._later: dict[str, deque[int]] = defaultdict(deque)  # failures reported by status webhook
        self.pending_statuses: list[dict[str, Any]] = []  # status objects not yet posted
        self.auto_statuses = False  # post each status webhook as soon as it is due (the demo)
        self.size_limits: dict[str, int] = {}  # message type → bytes, tighter than Meta's (tests)
        self._status_tasks: set[asyncio.Task[None]] = set()
        self._media: dict[str, tuple[bytes, str, str]] = {}  # id → (bytes, mime, filename)
        self._media_urls: dict[str, tuple[str, float]] = {}  # token → (media id, expires)
        self.expire_next_urls = 0  # this many of the next media URLs are already expired
        self._ids = itertools.count(1)
        self._cursor: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.base_url = ""

    # -- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> FakeGraphApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_post("/{version}/{phone}/messages", self._messages)
        app.router.add_post("/{version}/{phone}/media", self._upload)
        app.router.add_get("/{version}/{media_id}", self._media_url)
        app.router.add_get("/download/{token}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{self._host}:{port}"
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        for task in list(self._status_tasks):
            task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- test controls ----------------------------------------------------------------------
    def user(self, name: str, phone: str | None = None, country: str = "TR",
             user_id: str | None = None) -> FakeWaUser:
        """A new WhatsApp person; `phone` (digits, no +) is hidden when she uses a username;
        `user_id` her business-scoped id if not the usual digits (`TR.AbC9xY…`: letters too)."""
        user_id = user_id or f"{country}.{next(self._ids) + 13491208655302741000}"
        assert BSUID.fullmatch(user_id), f"not a business-scoped user id: {user_id!r}"
        user = FakeWaUser(user_id=user_id, name=name, wa_id=phone)
        self.users[user.user_id] = user
        return user

    def start_ids_at(self, first: int) -> None:
        """Number the next message ids from `first` (the demo's kept database has seen a
        previous fake's `wamid.IN…` ids: new ones must not look like redeliveries)."""
        self._ids = itertools.count(first)

    def fail_later(self, code: int, user: FakeWaUser | None = None, times: int = 1) -> None:
        """Accept the next send(s) to `user` (anyone if None) with 200, then report them
        failed with `code` by status webhook (`flush_statuses`), as Meta usually does for
        131026, 131047, 131049, 131050 and 130472."""
        self._later[user.user_id if user else "*"].extend([code] * times)

    def status(self, message: WaMessage, status: str, code: int | None = None, *,
               with_phone: bool = True) -> dict[str, Any]:
        """A status object for a message the business sent (`sent`, `delivered`, `read`,
        `failed` with `errors[]`), shaped as in Meta's status webhooks: `recipient_id` is her
        phone (absent when hidden or `with_phone` is False), `recipient_user_id` her BSUID."""
        user = self.users.get(message.to)
        entry: dict[str, Any] = {"id": message.id, "status": status, "timestamp": str(int(self._now())),
                                 "recipient_type": "individual"}
        if user is not None and user.wa_id and with_phone:
            entry["recipient_id"] = user.wa_id
        entry["recipient_user_id"] = user.user_id if user is not None else message.to
        if code is not None:
            title = ERRORS.get(code, "Error")
            entry["errors"] = [{"code": code, "title": title, "message": title,
                                "error_data": {"details": title},
                                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]
        return entry

    async def post_statuses(self, statuses: list[dict[str, Any]]) -> int:
        """POST status objects to the bot's webhook, signed; returns the HTTP status."""
        return await self.post({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "908505550000", "phone_number_id": self.phone_number_id},
                "statuses": statuses}}]}]})

    async def flush_statuses(self) -> int:
        """Post every status webhook due so far (one POST); how many statuses were posted."""
        statuses, self.pending_statuses = self.pending_statuses, []
        if statuses:
            status = await self.post_statuses(statuses)
            if status != 200:
                raise AssertionError(f"webhook answered {status} to a status")
        return len(statuses)

    def fail_next(self, code: int, user: FakeWaUser | None = None, times: int = 1, *, after: int = 0) -> None:
        """Answer the next send(s) to `user` (anyone if None) with error `code`, after
        accepting `after` sends first (the second message of a reply in two)."""
        self._planned[user.user_id if user else "*"].extend([0] * after + [code] * times)

    def expire_media_urls(self) -> None:
        """Every media URL handed out so far stops working (as after 5 minutes)."""
        self._media_urls.clear()

    def add_media(self, content: bytes, mime_type: str = "image/jpeg", filename: str = "photo.jpg") -> str:
        media_id = str(next(self._ids) + 900000000)
        self._media[media_id] = (content, mime_type, filename)
        return media_id

    def messages_to(self, user: FakeWaUser) -> list[WaMessage]:
        return [message for message in self.sent if message.to in (user.user_id, user.wa_id)]

    # -- acting as people ------------------------------------------------------------------
    def _envelope(self, user: FakeWaUser, message: dict[str, Any]) -> dict[str, Any]:
        contact: dict[str, Any] = {"profile": {"name": user.name}, "user_id": user.user_id}
        if user.wa_id:
            contact["wa_id"] = user.wa_id
            message.setdefault("from", user.wa_id)
        message.setdefault("from_user_id", user.user_id)
        message.setdefault("id", f"wamid.IN{next(self._ids)}")
        message.setdefault("timestamp", str(int(self._now())))
        return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "908505550000", "phone_number_id": self.phone_number_id},
                "contacts": [contact], "messages": [message]}}]}]}

    async def post(self, payload: dict[str, Any] | bytes, *, signature: str | None | bool = True) -> int:
        """POST a webhook body to the bot; `signature=True` signs it correctly, a string is sent
        as given, None sends none. Returns the HTTP status."""
        assert self.webhook_url and self._session is not None, "set webhook_url first"
        body = payload if isinstance(payload, bytes) else _body(payload)
        headers = {"Content-Type": "application/json"}
        if signature is True:
            headers["X-Hub-Signature-256"] = sign(body, self.app_secret)
        elif isinstance(signature, str):
            headers["X-Hub-Signature-256"] = signature
        if signature is True:  # Meta has her message before it posts it: her 24-hour window opens
            try:
                sent = json.loads(body)
                for entry in sent.get("entry", []):
                    for change in entry.get("changes", []):
                        for message in change.get("value", {}).get("messages", []):
                            if message.get("from_user_id"):
                                self.last_inbound[message["from_user_id"]] = self._now()
            except (ValueError, AttributeError, TypeError):
                pass
        async with self._session.post(self.webhook_url, data=body, headers=headers) as response:
            await response.read()
            status = response.status
        return status

    async def deliver(self, user: FakeWaUser, message: dict[str, Any]) -> dict[str, Any]:
        """She sends `message` (a Cloud API message object); returns the whole payload posted."""
        payload = self._envelope(user, message)
        status = await self.post(payload)
        if status != 200:
            raise AssertionError(f"webhook answered {status}")
        return payload

    async def send_text(self, user: FakeWaUser, text: str) -> dict[str, Any]:
        return await self.deliver(user, {"type": "text", "text": {"body": text}})

    async def deliver_batch(self, messages: list[tuple[FakeWaUser, dict[str, Any]]]) -> int:
        """One webhook POST carrying several people's messages (Meta batches them), e.g. one
        the bot cannot read among good ones. Returns the HTTP status."""
        envelopes = [self._envelope(user, message) for user, message in messages]
        value = envelopes[0]["entry"][0]["changes"][0]["value"]
        for other in envelopes[1:]:
            extra = other["entry"][0]["changes"][0]["value"]
            value["contacts"] += extra["contacts"]
            value["messages"] += extra["messages"]
        return await self.post(envelopes[0])

    async def tap(self, user: FakeWaUser, message: WaMessage, choice: str) -> dict[str, Any]:
        """Tap a reply button or pick a list row, by its title or id."""
        for option in message.buttons:
            if choice in (option.title, option.id):
                return await self.deliver(user, {"type": "interactive", "context": {"id": message.id},
                                                 "interactive": {"type": "button_reply", "button_reply": {
                                                     "id": option.id, "title": option.title}}})
        for option in message.rows:
            if choice in (option.title, option.id):
                row = {"id": option.id, "title": option.title}
                if option.description:
                    row["description"] = option.description
                return await self.deliver(user, {"type": "interactive", "context": {"id": message.id},
                                                 "interactive": {"type": "list_reply", "list_reply": row}})
        raise AssertionError(f"no button or row {choice!r} in {message.titles}")

    async def send_image(self, user: FakeWaUser, content: bytes, caption: str | None = None) -> dict[str, Any]:
        media_id = self.add_media(content)
        image: dict[str, Any] = {"id": media_id, "mime_type": "image/jpeg",
                                 "sha256": hashlib.sha256(content).hexdigest()}
        if caption:
            image["caption"] = caption
        return await self.deliver(user, {"type": "image", "image": image})

    async def send_location(self, user: FakeWaUser, latitude: float, longitude: float,
                            name: str | None = None) -> dict[str, Any]:
        """She shares a location (📎 → Location), as the Cloud API delivers it."""
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if name:
            location["name"] = name
        return await self.deliver(user, {"type": "location", "location": location})

    async def change_user_id(self, user: FakeWaUser, new_user_id: str, new_phone: str | None = None) -> None:
        """The system message Meta sends when a person's user id (or number) changes."""
        body = f"User {user.name} changed their user id"
        system: dict[str, Any] = {"body": body, "type": "user_changed_user_id", "user_id": new_user_id}
        if new_phone:
            system["wa_id"] = new_phone
        old = user.user_id
        await self.deliver(user, {"type": "system", "system": system})
        del self.users[old]
        user.user_id = new_user_id
        if new_phone:
            user.wa_id = new_phone
        self.users[new_user_id] = user
        self.last_inbound[new_user_id] = self.last_inbound.pop(old, self._now())

    # -- waiting ---------------------------------------------------------------------------
    async def wait_for_message(self, user: FakeWaUser, predicate: Callable[[WaMessage], bool] | None = None,
                               *, timeout: float = DEFAULT_WAIT) -> WaMessage:
        """The next message sent to her (matching `predicate`), after the last one returned."""
        key = user.user_id
        async with asyncio.timeout(timeout):
            async with self._changed:
                while True:
                    mine = [i for i, m in enumerate(self.sent) if m.to in (user.user_id, user.wa_id)]
                    for index in mine:
                        if index < self._cursor.get(key, 0):
                            continue
                        message = self.sent[index]
                        if predicate is None or predicate(message):
                            self._cursor[key] = index + 1
                            return message
                    await self._changed.wait()

    # -- the API ---------------------------------------------------------------------------
    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    @staticmethod
    def _error(error: GraphError) -> web.Response:
        return web.json_response(error.body(), status=error.status)

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(GraphError(190, "Invalid OAuth access token", status=401))
        if request.match_info["phone"] != self.phone_number_id:
            return self._error(GraphError(100, "Unsupported post request: unknown phone number id"))
        payload = await request.json()
        recipient = str(payload.get("to") or payload.get("recipient") or "")
        try:
            user = self._recipient(payload)
            message = self._accept(recipient, payload, user)
        except GraphError as error:
            self.rejected.append((recipient, error))
            return self._error(error)
        async with self._changed:
            self.sent.append(message)
            self._changed.notify_all()
        later = self._later.get(message.to) or self._later.get("*")
        if later:
            self.pending_statuses.append(self.status(message, "failed", later.popleft()))
            if self.auto_statuses:
                task = asyncio.create_task(self._flush_soon())
                self._status_tasks.add(task)
                task.add_done_callback(self._status_tasks.discard)
        user = self.users.get(message.to)
        contact: dict[str, Any] = {"input": recipient}
        if user is not None and user.wa_id:
            contact["wa_id"] = user.wa_id
        contact["user_id"] = message.to
        return web.json_response({"messaging_product": "whatsapp", "contacts": [contact],
                                  "messages": [{"id": message.id}]})

    async def _flush_soon(self) -> None:
        await asyncio.sleep(0.05)  # Meta reports after its answer, not inside it
        try:
            await self.flush_statuses()
        except (aiohttp.ClientError, AssertionError):
            pass  # the demo's bot is gone

    def _recipient(self, payload: dict[str, Any]) -> FakeWaUser | None:
        """Who a send is for: `to` is a phone number (wa_id), a BSUID goes in `recipient`
        (when both are given, `to` wins, as documented); a group id needs a group."""
        to = str(payload.get("to") or "").strip()
        bsuid = str(payload.get("recipient") or "").strip()
        if payload.get("recipient_type", "individual") == "group":
            raise GraphError(131009, "Parameter value is not valid",
                             details=f"group {to or bsuid!r} does not exist for this business")
        if to:
            digits = to.lstrip("+").replace(" ", "").replace("-", "")
            if not digits.isdigit():
                raise GraphError(100, "Invalid parameter", details="to: expected a phone number (wa_id); "
                                 "send a business-scoped user id in `recipient`")
            return next((u for u in self.users.values() if u.wa_id == digits), None)
        if bsuid:
            if not BSUID.fullmatch(bsuid):
                raise GraphError(100, "Invalid parameter",
                                 details=f"recipient: {bsuid!r} is not a business-scoped user id")
            return self.users.get(bsuid)
        return None

    def _accept(self, recipient: str, payload: dict[str, Any], user: FakeWaUser | None) -> WaMessage:
        if payload.get("messaging_product") != "whatsapp" or not recipient:
            raise GraphError(100, "Invalid parameter: messaging_product and a recipient are required")
        planned = self._planned.get(user.user_id if user else recipient) or self._planned.get("*")
        code = planned.popleft() if planned else 0
        if code:
            raise GraphError(code, ERRORS.get(code, "Error"))
        kind = payload.get("type", "text")
        message = WaMessage(id=f"wamid.OUT{next(self._ids)}", to=user.user_id if user else recipient,
                            type=kind, raw=payload)
        if kind == "template":
            self._template(payload.get("template") or {}, message)
        else:
            key = user.user_id if user else recipient
            opened = self.last_inbound.get(key)
            if self.enforce_window and (opened is None or self._now() - opened > WINDOW_SECONDS):
                raise GraphError(131047, "Re-engagement message",
                                 details="More than 24 hours have passed since the recipient last replied")
            if kind == "text":
                message.text = validation.text_body(payload)
            elif kind == "interactive":
                message.text, message.buttons, message.rows, message.list_button = validation.interactive(payload)
            elif kind in ("document", "image", "audio", "video", "sticker"):
                message.text = validation.caption(payload, kind) if kind in ("document", "image", "video") else ""
                media = payload.get(kind) or {}
                message.media_id = media.get("id")
                message.filename = media.get("filename")
                if message.media_id not in self._media:
                    raise GraphError(131053, "Media upload error: unknown media id")
                mime = self._media[message.media_id][1]
                if MEDIA_TYPES.get(mime, ("?", 0))[0] != kind:
                    raise GraphError(131053, "Media upload error",
                                     details=f"a {mime} file cannot be sent as a {kind} message")
            else:
                raise GraphError(131051, "Unsupported message type")
        self._pace(message.to)
        return message

    def _template(self, template: dict[str, Any], message: WaMessage) -> None:
        approved = {entry["name"]: entry for entry in whatsapp_templates().values()}
        name = template.get("name")
        language = str((template.get("language") or {}).get("code", ""))
        entry = approved.get(str(name))
        if entry is None or language.split("_")[0] not in entry:
            raise GraphError(132001, "Template name does not exist in the translation")
        params = [str(p.get("text", "")) for component in template.get("components", [])
                  if component.get("type") == "body" for p in component.get("parameters", [])]
        if len(params) != len(entry["parameters"]):
            raise GraphError(132000, "Number of parameters does not match the expected number of params")
        message.template, message.template_language, message.template_params = str(name), language, params
        text = str(entry[language.split("_")[0]])
        for index, value in enumerate(params, start=1):
            text = text.replace("{{%d}}" % index, value)
        message.text = text

    def _pace(self, recipient: str) -> None:
        """Pair rate: a burst, then about one message per `pair_seconds` to the same person."""
        now = time.monotonic()
        sends = self._pair[recipient]
        while sends and now - sends[0] > self.pair_seconds * self.pair_burst:
            sends.popleft()
        if len(sends) >= self.pair_burst:
            raise GraphError(131056, ERRORS[131056])
        sends.append(now)

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(GraphError(190, "Invalid OAuth access token", status=401))
        reader = await request.multipart()
        content, mime, filename = b"", "application/octet-stream", "file"
        async for part in reader:
            if part.name == "file":
                filename = part.filename or filename
                mime = part.headers.get("Content-Type", mime)
                content = await part.read()
            elif part.name == "type":
                mime = (await part.text()) or mime
        try:
            check_upload(mime, len(content), self.size_limits)
        except GraphError as error:
            self.rejected.append(("upload", error))
            return self._error(error)
        return web.json_response({"id": self.add_media(content, mime, filename)})

    async def _media_url(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(GraphError(190, "Invalid OAuth access token", status=401))
        media_id = request.match_info["media_id"]
        if media_id not in self._media:
            return self._error(GraphError(100, "Unsupported get request: unknown media id"))
        content, mime, _ = self._media[media_id]
        token = f"{media_id}-{next(self._ids)}"
        expires = time.monotonic() + MEDIA_URL_SECONDS
        if self.expire_next_urls > 0:
            self.expire_next_urls -= 1
            expires = 0.0
        self._media_urls[token] = (media_id, expires)
        return web.json_response({"messaging_product": "whatsapp", "id": media_id, "mime_type": mime,
                                  "sha256": hashlib.sha256(content).hexdigest(), "file_size": len(content),
                                  "url": f"{self.base_url}/download/{token}"})

    async def _download(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401)
        found = self._media_urls.get(request.match_info["token"])
        if found is None or found[1] < time.monotonic():
            return web.Response(status=404, text="URL signature expired")
        content, mime, _ = self._media[found[0]]
        return web.Response(body=content, content_type=mime)

    def media_bytes(self, media_id: str) -> bytes:
        return self._media[media_id][0]


def check_upload(mime: str, size: int, limits: dict[str, int] | None = None) -> None:
    """Meta's checks on an uploaded file: a supported MIME type (`MEDIA_TYPES`) within its
    type's size (or a tighter `limits[type]`); raises `GraphError` #100 worded as Meta words it."""
    mime = mime.split(";")[0].strip().lower()
    if mime not in MEDIA_TYPES:
        raise GraphError(100, "Invalid parameter", full_message=(
            "(#100) Param file must be a file with one of the following types: "
            + ", ".join(MEDIA_TYPES) + f". Received file of type '{mime}'."))
    kind, limit = MEDIA_TYPES[mime]
    limit = min(limit, (limits or {}).get(kind, limit))
    if size > limit:
        raise GraphError(100, "Invalid parameter", full_message=(
            f"(#100) Param file is too large for a {kind}: {size} bytes; the maximum is {limit} bytes."))
    if size == 0:
        raise GraphError(100, "Invalid parameter", full_message="(#100) Param file must not be empty.")
