"""Foundation stories, end to end: people join, pick a language, consent, get help,
coordinators invite, everyone can see and delete their data, and a restart loses nothing."""

from __future__ import annotations

import io
import json

from docx import Document

from tests.harness import Harness


async def test_a_new_member_joins_by_deep_link_in_turkish(harness: Harness) -> None:
    group = await harness.create_group("Kadın Dostu Kent", "Kars")
    ayse = harness.person("Ayşe")

    picker = await harness.send(ayse, f"/start {group.member_invite.code}")
    assert "Lütfen dilinizi seçin" in picker.text
    assert picker.button_texts == ["Türkçe", "English"]

    notice = await harness.press(ayse, picker, "Türkçe")
    assert "Aydınlatma metni" in notice.text
    assert "Kars Kadın Meclisi Derneği" in notice.text  # the data controller, from configuration
    assert "yurt dışı" in notice.text
    consent = await harness.next(ayse)
    assert "Onay 1/2" in consent.text
    # Nothing is stored before consent.
    assert (await harness.services.db.fetchone("SELECT COUNT(*) FROM members"))[0] == 0

    second = await harness.press(ayse, consent, "✅ Onaylıyorum")
    assert "Onay 2/2" in second.text
    welcome = await harness.press(ayse, second, "✅ Onaylıyorum")
    assert "Kadın Dostu Kent" in welcome.text and "üye olarak" in welcome.text
    help_text = await harness.next(ayse)
    assert "/yardim" in help_text.text and "/dil" in help_text.text
    assert "/davet" not in help_text.text  # coordinator commands are not offered to members

    again = await harness.send(ayse, "/yardim")
    assert "Koordinat komutları" in again.text

    consents = await harness.services.db.fetchall(
        "SELECT purpose, granted, notice_version, channel FROM consents ORDER BY id")
    assert [(r["purpose"], r["granted"], r["channel"]) for r in consents] == [
        ("group_messages", 1, "telegram"), ("surveys", 1, "telegram")]
    assert all(r["notice_version"] for r in consents)


async def test_declining_consent_stores_nothing(harness: Harness) -> None:
    group = await harness.create_group()
    zehra = harness.person("Zehra")
    picker = await harness.send(zehra, f"/start {group.member_invite.code}")
    await harness.press(zehra, picker, "lang:tr:" + group.member_invite.code)
    consent = await harness.next(zehra)
    declined = await harness.press(zehra, consent, "❌ Onaylamıyorum")
    assert "Hiçbir bilginiz saklanmadı" in declined.text
    assert (await harness.services.db.fetchone("SELECT COUNT(*) FROM members"))[0] == 0
    assert (await harness.services.db.fetchone("SELECT COUNT(*) FROM identities"))[0] == 0
    # Not even the buttons of the questions she was asked, keyed by her chat id.
    assert (await harness.services.db.fetchone("SELECT COUNT(*) FROM pending_choices"))[0] == 0


async def test_switching_to_english(harness: Harness) -> None:
    group = await harness.create_group()
    emma = harness.person("Emma", language_code="en")
    await harness.join(emma, group.member_invite.code, language="tr")
    await harness.next(emma)  # help after joining

    picker = await harness.send(emma, "/dil")
    assert picker.button_texts == ["Türkçe", "English"]
    changed = await harness.press(emma, picker, "English")
    assert "Language changed" in changed.text
    help_text = await harness.send(emma, "/help")
    assert "Koordinat commands" in help_text.text and "Change the language" in help_text.text


async def test_a_coordinator_joins_and_invites_members_with_a_link_and_a_qr_code(harness: Harness) -> None:
    group = await harness.create_group("Eşitlik Planı İzleme", "İzmir")
    zeynep = harness.person("Zeynep")
    welcome = await harness.join(zeynep, group.coordinator_invite.code)
    assert "koordinatör" in welcome.text
    help_text = await harness.next(zeynep)
    assert "/davet" in help_text.text and "/uyeler" in help_text.text

    invite = await harness.send(zeynep, "/davet")
    assert invite.photo_bytes is not None and invite.photo_bytes.startswith(b"\x89PNG")
    assert "https://t.me/koordinat_bot?start=" in invite.text
    code = invite.text.split("?start=")[1].split()[0]

    fatma = harness.person("Fatma")
    await harness.join(fatma, code)
    members = await harness.send(zeynep, "/uyeler")
    assert "Zeynep (koordinatör)" in members.text and "Fatma (üye)" in members.text


async def test_members_cannot_use_coordinator_commands(harness: Harness) -> None:
    group = await harness.create_group()
    ayse = harness.person("Ayşe")
    await harness.join(ayse, group.member_invite.code)
    await harness.next(ayse)
    refused = await harness.send(ayse, "/davet")
    assert "yalnızca koordinatörler" in refused.text


async def test_a_bad_or_expired_code_is_refused_politely(harness: Harness) -> None:
    from datetime import timedelta

    group = await harness.create_group()
    stranger = harness.person("Elif")
    refused = await harness.send(stranger, "/start NOSUCHCODE")
    assert "geçerli bir davet kodu değil" in refused.text and "/katil" in refused.text
    usage = await harness.send(stranger, "/katil")
    assert "Örnek" in usage.text

    await harness.advance(timedelta(days=91))
    expired = await harness.send(stranger, f"/katil {group.member_invite.code}")
    assert "süresi dolmuş" in expired.text


async def test_mydata_and_forget_do_what_they_say(harness: Harness) -> None:
    group = await harness.create_group()
    ayse = harness.person("Ayşe")
    await harness.join(ayse, group.member_invite.code)
    await harness.next(ayse)

    export = await harness.send(ayse, "/verilerim")
    assert export.document_name == "koordinat-mydata.json"
    data = json.loads(export.document_bytes)
    assert data["person"]["display_name"] == "Ayşe"
    assert data["identities"][0]["external_id"] == str(ayse.chat_id)
    assert {c["purpose"] for c in data["consents"]} == {"group_messages", "surveys"}
    readable = await harness.next(ayse)  # the same data as a document a phone opens
    assert readable.document_name == "verilerim.docx"
    text = "\n".join(p.text for p in Document(io.BytesIO(readable.document_bytes)).paragraphs)
    assert "Ayşe" in text and "Onaylar" in text

    confirm = await harness.send(ayse, "/unut")
    done = await harness.press(ayse, confirm, "forget:yes")
    assert "Verileriniz silindi" in done.text
    db = harness.services.db
    for table in ("members", "identities", "memberships", "consents"):
        assert (await db.fetchone(f"SELECT COUNT(*) FROM {table}"))[0] == 0, table
    audit = await db.fetchall("SELECT action, detail FROM audit_log")
    assert [row["action"] for row in audit] == ["member_forgotten"]
    assert "Ayşe" not in audit[0]["detail"] and str(ayse.chat_id) not in audit[0]["detail"]
    await harness.settle()
    leftovers = await db.fetchall(
        "SELECT key FROM outbox WHERE address = ? OR (lane = 0 AND payload != '{}')", (str(ayse.chat_id),))
    assert leftovers == []  # neither her chat id nor her export lingers in the outbox


async def test_restart_keeps_groups_roles_and_languages(harness: Harness) -> None:
    group = await harness.create_group()
    zeynep, emma = harness.person("Zeynep"), harness.person("Emma", "en")
    await harness.join(zeynep, group.coordinator_invite.code)
    await harness.next(zeynep)
    await harness.join(emma, group.member_invite.code, language="en")
    await harness.next(emma)

    await harness.restart()

    members = await harness.send(zeynep, "/uyeler")
    assert "Zeynep (koordinatör)" in members.text and "Emma (üye)" in members.text
    help_text = await harness.send(emma, "/help")
    assert "Koordinat commands" in help_text.text and "/invite" not in help_text.text


async def test_unknown_commands_and_free_text_get_a_hint(harness: Harness) -> None:
    someone = harness.person("Nur")
    unknown = await harness.send(someone, "/hello")
    assert "/hello" in unknown.text and "/yardim" in unknown.text
    chatter = await harness.send(someone, "merhaba nasılsınız")
    assert "/yardim" in chatter.text
    word = await harness.send(someone, "YARDIM")
    assert "Koordinat" in word.text


async def test_commands_are_published_in_turkish_and_english(harness: Harness) -> None:
    # Published in the background once the bot receives updates (start-up, issue 24).
    await harness.server.wait_until(lambda: bool(harness.server.commands(language_code="en")),
                                    what="the command menu in English")
    turkish = harness.server.commands(language_code="tr")
    english = harness.server.commands(language_code="en")
    assert ("help", "Komutları göster") in [(c["command"], c["description"]) for c in turkish]
    assert ("help", "Show the commands") in [(c["command"], c["description"]) for c in english]


async def test_a_redelivered_update_changes_nothing_twice(harness: Harness) -> None:
    group = await harness.create_group()
    ayse = harness.person("Ayşe")
    await harness.join(ayse, group.member_invite.code)
    await harness.next(ayse)
    before = len(harness.server.messages(ayse.chat_id))
    from bot.models import Actor

    actor = Actor(channel="telegram", external_id=str(ayse.chat_id), display_name="Ayşe")
    conversation = harness.services.conversation
    ran = [await harness.services.inbox.handle(actor, "42", lambda: conversation.on_command(actor, "help", []))
           for _ in range(2)]
    assert ran == [True, False]
    await harness.next(ayse)
    await harness.settle()
    assert len(harness.server.messages(ayse.chat_id)) == before + 1
