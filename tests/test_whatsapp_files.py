"""Every file reaches a WhatsApp member in a form WhatsApp takes and her phone opens, and the
fake Graph API refuses what Meta refuses (media types, sizes, recipients)."""

from __future__ import annotations

import ast
import importlib
import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import openpyxl
import pytest

from bot.clock import ManualClock
from bot.emulator.telegram import FakeBotApi
from bot.emulator.whatsapp import FakeGraphApi, FakeWaUser
from bot.emulator.whatsapp.records import MEDIA_TYPES
from bot.models import Attachment, Reply, Role
from handlers.whatsapp.channel import CALENDAR_LINK_DAYS
from handlers.whatsapp.files import CALENDAR, sendable
from storage import outbox as outbox_repo
from tests.meetings_support import announce, group_with
from tests.whatsapp_support import WaHarness, graph, wa, wa_settings  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def public(telegram: FakeBotApi, graph: FakeGraphApi, tmp_path: Path,  # noqa: F811
                 clock: ManualClock) -> AsyncIterator[WaHarness]:
    """The bot in webhook mode: it has a public URL (here, its own loopback address)."""
    settings = wa_settings(graph)
    settings["webhook_url"] = f"http://127.0.0.1:{settings['port']}"
    h = WaHarness(telegram, tmp_path / "koordinat.db", clock, **settings)
    h.graph = graph
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def _wa_member(h: WaHarness, code: str, name: str = "Ayşe", language: str = "tr",
                     user_id: str | None = None) -> FakeWaUser:
    user = h.graph.user(name, phone="905321234567" if user_id is None else None, user_id=user_id)
    await h.wa_join(user, code, language)
    await h.wa_skip(user)
    return user


# -- the fake is as strict as Meta ------------------------------------------------------------

async def _upload(graph: FakeGraphApi, content: bytes, mime: str, filename: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    form = aiohttp.FormData()
    form.add_field("messaging_product", "whatsapp")
    form.add_field("type", mime)
    form.add_field("file", io.BytesIO(content), filename=filename, content_type=mime)
    async with aiohttp.ClientSession() as session, session.post(
            f"{graph.base_url}/v23.0/{graph.phone_number_id}/media", data=form,
            headers={"Authorization": f"Bearer {graph.token}"}) as response:
        return response.status, await response.json()


async def _send(graph: FakeGraphApi, payload: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    async with aiohttp.ClientSession() as session, session.post(
            f"{graph.base_url}/v23.0/{graph.phone_number_id}/messages", json=payload,
            headers={"Authorization": f"Bearer {graph.token}"}) as response:
        return response.status, await response.json()


@pytest.mark.parametrize(("mime", "filename"), [("text/csv", "a.csv"), ("application/json", "a.json"),
                                                 ("text/calendar", "a.ics"), ("application/zip", "a.zip"),
                                                 ("image/gif", "a.gif")])
async def test_the_fake_refuses_uploads_meta_does_not_support_with_error_100(
        graph: FakeGraphApi, mime: str, filename: str) -> None:  # noqa: F811
    status, body = await _upload(graph, b"x,y\n1,2\n", mime, filename)
    assert status == 400
    assert body["error"]["code"] == 100 and body["error"]["type"] == "OAuthException"
    assert body["error"]["message"].startswith("(#100) Param file must be a file with one of the following types")
    assert f"Received file of type '{mime}'" in body["error"]["message"]


async def test_the_fake_takes_supported_types_within_their_sizes(graph: FakeGraphApi) -> None:  # noqa: F811
    for mime, (kind, _limit) in MEDIA_TYPES.items():
        status, body = await _upload(graph, b"content", mime, f"file.{kind}")
        assert status == 200 and body["id"], (mime, body)
    status, body = await _upload(graph, b"\x89PNG" + b"0" * (5 * 1024 * 1024), "image/png", "big.png")
    assert status == 400 and body["error"]["code"] == 100 and "too large for a image" in body["error"]["message"]
    status, body = await _upload(graph, b"", "text/plain", "empty.txt")
    assert status == 400 and body["error"]["code"] == 100


async def test_the_fake_addresses_business_scoped_ids_of_every_documented_shape(graph: FakeGraphApi) -> None:  # noqa: F811
    for user_id in ("TR.13491208655302741918", "TR.AbC9xYz0Qw", "US.ENT.11815799212886844830"):
        user = graph.user("Ayşe", user_id=user_id)
        graph.last_inbound[user.user_id] = graph._now()
        status, body = await _send(graph, {"messaging_product": "whatsapp", "recipient_type": "individual",
                                           "recipient": user_id, "type": "text", "text": {"body": "Merhaba"}})
        assert status == 200 and body["contacts"][0]["user_id"] == user_id, body
    # A BSUID in `to` (where a phone number goes), or sent as a group id, is refused.
    status, body = await _send(graph, {"messaging_product": "whatsapp", "to": "TR.AbC9xYz0Qw",
                                       "type": "text", "text": {"body": "Merhaba"}})
    assert status == 400 and body["error"]["code"] == 100
    status, body = await _send(graph, {"messaging_product": "whatsapp", "recipient_type": "group",
                                       "to": "TR.AbC9xYz0Qw", "type": "text", "text": {"body": "Merhaba"}})
    assert status == 400 and body["error"]["code"] == 131009
    status, body = await _send(graph, {"messaging_product": "whatsapp", "recipient": "not a bsuid",
                                       "type": "text", "text": {"body": "Merhaba"}})
    assert status == 400 and body["error"]["code"] == 100


# -- every file the bot can send ----------------------------------------------------------------

def _mime_values(node: ast.expr, module: object) -> set[str]:
    """The MIME types an `Attachment(mime_type=…)` argument can take: a literal, a module
    constant, or any value of a constant table (`export.MIME[kind]`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Subscript):
        table = _resolve(node.value, module)
        assert isinstance(table, dict), ast.unparse(node)
        return {str(value) for value in table.values()}
    value = _resolve(node, module)
    assert isinstance(value, str), ast.unparse(node)
    return {value}


def _resolve(node: ast.expr, module: object) -> object:
    if isinstance(node, ast.Name):
        return getattr(module, node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, module), node.attr)
    raise AssertionError(f"cannot read the MIME type of {ast.unparse(node)}")


def _attachments_in_the_code() -> dict[str, set[str]]:
    """{module: MIME types} for every `Attachment(...)` the bot builds."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if "emulator" in path.parts or "demo" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Name) and node.func.id == "Attachment"]
        if not calls:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        for call in calls:
            mime = next((k.value for k in call.keywords if k.arg == "mime_type"), None)
            assert mime is not None, f"{name}: an Attachment without mime_type (line {call.lineno})"
            found.setdefault(name, set()).update(_mime_values(mime, module))
    return found


def test_every_file_the_bot_can_send_has_a_form_whatsapp_takes() -> None:
    found = _attachments_in_the_code()
    # The scan still sees the files: invites, /verilerim, calendars, exports, charts, co-planning.
    assert {"bot.services.privacy", "bot.services.meetings.render", "bot.services.milestones.overview",
            "bot.services.surveys.results_service", "bot.services.meetings.service"} <= set(found), found
    mimes = set().union(*found.values())
    assert {"text/csv", "application/json", CALENDAR} <= mimes
    for module, types in found.items():
        for mime in types:
            if mime == CALENDAR:
                continue  # a link (our web server + Google Calendar), never an upload
            kind = "photo" if mime.startswith("image/") else "document"
            converted = sendable(Attachment(kind=kind, filename=f"file.{mime.rsplit('/', 1)[-1]}",
                                            content=b"a,b\n1,2\n", mime_type=mime))
            assert converted is not None, f"{module}: WhatsApp refuses {mime}"
            assert converted[1].mime_type in MEDIA_TYPES, (module, mime, converted[1].mime_type)
            assert MEDIA_TYPES[converted[1].mime_type][0] == converted[0], (module, mime)


# -- end to end, through the real web server ----------------------------------------------------

async def test_calendar_entry_is_an_expiring_link_served_by_the_bot_and_a_google_link(public: WaHarness,
                                                                                     clock: ManualClock) -> None:
    zeynep, _ = await group_with(public)
    code = (await public.services.groups.new_member_invite(1)).code
    ayse = await _wa_member(public, code)
    await announce(public, zeynep)
    notice = await public.wa_next(ayse, "Yeni toplantı")
    assert "*4.* 📅" in notice.text, notice.text
    entry = await public.wa_send(ayse, "4")  # the 📅 choice under the notice
    assert entry.type == "text" and "Aralık çalışma toplantısı" in entry.text
    assert "açarak" not in entry.text and "dosyayı" not in entry.text.lower()  # no file to open on WhatsApp
    link = re.search(r"http://127\.0\.0\.1:\d+/takvim/[A-Za-z0-9_-]{20,}\.ics", entry.text)
    google = re.search(r"https://calendar\.google\.com/calendar/render\?\S+", entry.text)
    assert link and google, entry.text
    assert "dates=20261203T110000Z%2F20261203T" in google.group(0)
    async with aiohttp.ClientSession() as session:
        async with session.get(link.group(0)) as response:
            assert response.status == 200 and response.content_type == "text/calendar"
            body = await response.text()
        assert "BEGIN:VCALENDAR" in body and "meeting-1@koordinat" in body and "SUMMARY:Aralık" in body
        guessed = re.sub(r"/takvim/[^.]+", "/takvim/" + "A" * 32, link.group(0))
        async with session.get(guessed) as response:
            assert response.status == 404
        clock.advance(timedelta(days=CALENDAR_LINK_DAYS, hours=1))
        async with session.get(link.group(0)) as response:
            assert response.status == 404  # expired


async def test_without_a_public_url_the_calendar_is_a_google_link(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = await _wa_member(wa, code, language="en")
    await announce(wa, zeynep)
    await wa.wa_next(ayse, "New meeting")
    entry = await wa.wa_send(ayse, "4")
    assert entry.type == "text" and "/takvim/" not in entry.text
    assert "Add it to Google Calendar" in entry.text and "calendar.google.com" in entry.text


async def test_mydata_arrives_as_readable_document_and_machine_readable_text(wa: WaHarness) -> None:  # noqa: F811
    created = await wa.create_group()
    ayse = await _wa_member(wa, created.member_invite.code, user_id="TR.AbC9xYz0Qw")  # letters, no phone
    export = await wa.wa_send(ayse, "verilerim")
    readable = await wa.wa_next(ayse)
    assert export.type == readable.type == "document"
    assert export.filename == "koordinat-mydata.json.txt"
    assert b'"display_name": "Ay\xc5\x9fe"' in wa.graph.media_bytes(export.media_id or "")
    assert readable.filename == "verilerim.docx"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(wa.graph.media_bytes(readable.media_id or ""))).paragraphs)
    assert "Koordinat'ta hakkınızda tutulan bilgiler" in text and "Ayşe" in text
    assert not [error for _, error in wa.graph.rejected]


async def test_the_coordinators_csv_arrives_as_a_workbook(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    await announce(wa, zeynep)
    invite = await wa.services.groups.new_invite(1, Role.COORDINATOR)
    leyla = wa.graph.user("Leyla", phone="905551112233")
    await wa.wa_join(leyla, invite.code, "tr")
    await wa.wa_skip(leyla)
    # The 📤 CSV button of the attendance sheet (its id, as her phone sends it).
    await wa.graph.deliver(leyla, {"type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": "mtg:1:csv", "title": "📤 CSV"}}})
    file = await wa.wa_next(leyla)
    assert file.type == "document" and (file.filename or "").endswith(".xlsx"), (file.type, file.filename, file.text)
    sheet = openpyxl.load_workbook(io.BytesIO(wa.graph.media_bytes(file.media_id or ""))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert len(header) > 2 and all(header), header


async def test_a_file_whatsapp_refuses_is_one_message_saying_so(wa: WaHarness) -> None:  # noqa: F811
    created = await wa.create_group()
    ayse = await _wa_member(wa, created.member_invite.code)
    wa.graph.size_limits["document"] = 10  # Meta refuses the upload (#100: too large)

    async def queue(key: str, attachment: Attachment) -> None:
        async with wa.services.db.transaction() as tx:
            await outbox_repo.enqueue(tx, key=key, channel="whatsapp", address=ayse.user_id,
                                      payload=Reply(text="📄 Rapor", attachment=attachment).model_dump_json(),
                                      now=wa.services.now_seconds(), lane=outbox_repo.REPLY_LANE)
        wa.services.dispatcher.kick()

    await queue("t1", Attachment(kind="document", filename="rapor.txt", content=b"x" * 100, mime_type="text/plain"))
    told = await wa.wa_next(ayse)
    assert told.type == "text" and "📄 Rapor" in told.text and "«rapor.txt» dosyası WhatsApp'tan gönderilemedi" in told.text
    await queue("t2", Attachment(kind="document", filename="arsiv.zip", content=b"PK", mime_type="application/zip"))
    told = await wa.wa_next(ayse)
    assert told.type == "text" and "«arsiv.zip»" in told.text
    assert await wa.wa_skip(ayse) == []  # one message each, nothing more
    rows = await wa.services.db.fetchall("SELECT status FROM outbox WHERE key IN ('t1', 't2')")
    assert [row["status"] for row in rows] == ["sent", "sent"]


async def test_a_media_message_meta_refuses_is_one_message_saying_so(wa: WaHarness) -> None:  # noqa: F811
    created = await wa.create_group()
    ayse = await _wa_member(wa, created.member_invite.code)
    wa.graph.fail_next(131053, ayse)  # the upload goes; the document message is refused
    told = await wa.wa_send(ayse, "verilerim")
    assert told.type == "text" and "«koordinat-mydata.json.txt» dosyası WhatsApp'tan gönderilemedi" in told.text
    readable = await wa.wa_next(ayse)
    assert readable.type == "document" and readable.filename == "verilerim.docx"
