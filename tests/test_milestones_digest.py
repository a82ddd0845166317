"""The weekly digest: Monday 09:00 in each group's own zone (Istanbul has no DST, Berlin
switches on 28 March 2027), once, even after a restart at 08:59; one message per coordinator
for all her groups; members get a short version unless they turn it off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator.telegram.server import FakeBotApi
from tests.harness import Harness, Person
from tests.meetings_support import texts

# Friday 19 March 2027, 13:00 in Istanbul; Berlin is on CET (UTC+1) until Sunday 28 March.
START = datetime(2027, 3, 19, 10, 0, tzinfo=UTC)


@pytest.fixture
async def harness(telegram: FakeBotApi, tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(telegram, tmp_path / "koordinat.db", ManualClock(start=START), private_chat_rate_per_second=50)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def _advance_to(harness: Harness, moment: datetime) -> None:
    await harness.advance(moment - harness.clock.now())


async def _group(harness: Harness, name: str, timezone: str, coordinator: Person,
                 *members: Person, first: bool = True) -> int:
    created = await harness.services.groups.create(name, "Kars", "tr", timezone)
    if first:
        await harness.join(coordinator, created.coordinator_invite.code)
    else:
        await harness.send(coordinator, f"/start {created.coordinator_invite.code}")
    await harness.next(coordinator)
    for member in members:
        await harness.join(member, created.member_invite.code)
        await harness.next(member)
    return created.group.id


def _digests(harness: Harness, person: Person) -> list[str]:
    return [text for text in texts(harness, person) if text.startswith("📋")]


async def test_the_digest_comes_at_nine_in_each_groups_zone_across_dst_once_after_a_restart(
        harness: Harness) -> None:
    zeynep, derya, leyla = harness.person("Zeynep"), harness.person("Derya"), harness.person("Leyla")
    ayse, nur = harness.person("Ayşe"), harness.person("Nur")
    istanbul = await _group(harness, "İstanbul Bakım ve Güvenlik", "Europe/Istanbul", zeynep, ayse, nur)
    await _group(harness, "Kadıköy Eşitlik İzleme", "Europe/Istanbul", zeynep, first=False)
    await _group(harness, "Berlin Dayanışma", "Europe/Berlin", derya, leyla)
    await harness.services.milestones.service.create(
        group_id=istanbul, title="Kesin hesap görüşü", due_at=datetime(2027, 3, 30, 14, tzinfo=UTC), has_time=False)
    await harness.services.meetings.create_and_announce(
        group_id=istanbul, title="Mart toplantısı", starts_at=datetime(2027, 3, 25, 11, tzinfo=UTC),
        place="Kadın Merkezi")
    await harness.next_containing(nur, "Yeni toplantı")  # the bulk notice may come before her reply
    assert "🔕" in (await harness.send(nur, "/ozet kapat")).text

    monday = datetime(2027, 3, 22, 6, 0, tzinfo=UTC)  # 09:00 in Istanbul
    await _advance_to(harness, monday - timedelta(minutes=1))
    await harness.settle()
    await harness.restart()  # at 08:59
    await _advance_to(harness, monday + timedelta(minutes=1))
    digest = await harness.next_containing(zeynep, "📋 Haftalık özet", timeout=10)
    # One message covering both of her groups, with the milestone and the meeting's answers.
    assert "İstanbul Bakım ve Güvenlik" in digest.text and "Kadıköy Eşitlik İzleme" in digest.text
    assert "Kesin hesap görüşü" in digest.text and "8 gün kaldı" in digest.text
    assert "Mart toplantısı" in digest.text and "⏳ 3" in digest.text
    short = await harness.next_containing(ayse, "📋 Bu hafta sizi bekleyenler", timeout=10)
    assert "Mart toplantısı" in short.text and "Kesin hesap" not in short.text
    await _advance_to(harness, monday + timedelta(hours=1, minutes=59))  # 08:59 in Berlin (CET)
    await harness.settle()
    assert _digests(harness, derya) == []
    await _advance_to(harness, monday + timedelta(hours=2, minutes=1))
    await harness.next_containing(derya, "📋 Haftalık özet", timeout=10)

    # A week later Berlin is on summer time: 09:00 there is 07:00 UTC, one hour earlier.
    next_monday = monday + timedelta(days=7)
    await _advance_to(harness, next_monday + timedelta(minutes=1))
    await harness.next_containing(zeynep, "📋 Haftalık özet", timeout=10)
    await _advance_to(harness, next_monday + timedelta(minutes=59))  # 08:59 in Berlin (CEST)
    await harness.settle()
    await harness.restart()
    assert len(_digests(harness, derya)) == 1
    await _advance_to(harness, next_monday + timedelta(hours=1, minutes=1))
    await harness.next_containing(derya, "📋 Haftalık özet", timeout=10)
    await harness.settle()

    assert len(_digests(harness, zeynep)) == 2  # once per week, both groups in one message
    assert len(_digests(harness, derya)) == 2
    assert _digests(harness, nur) == []  # she turned it off
    assert _digests(harness, leyla) == []  # nothing waits for her answer


async def test_a_coordinator_moves_or_turns_off_her_groups_digest(harness: Harness) -> None:
    zeynep = harness.person("Zeynep")
    await _group(harness, "Kars Kadın Dostu Kent", "Europe/Istanbul", zeynep)
    status = await harness.send(zeynep, "/ozet")
    assert "her pazartesi 09:00 (Türkiye saati)" in status.text
    moved = await harness.send(zeynep, "/ozet grup Çarşamba 10")
    assert "her çarşamba 10:00" in moved.text
    wrong = await harness.send(zeynep, "/ozet grup sometime")
    assert "Örnek" in wrong.text
    await _advance_to(harness, datetime(2027, 3, 22, 6, 1, tzinfo=UTC))  # Monday 09:01
    await harness.settle()
    assert _digests(harness, zeynep) == []
    await _advance_to(harness, datetime(2027, 3, 24, 7, 1, tzinfo=UTC))  # Wednesday 10:01
    await harness.next_containing(zeynep, "📋 Haftalık özet", timeout=10)
    off = await harness.send(zeynep, "/ozet grup kapat")
    assert "kapalı" in off.text
    await _advance_to(harness, datetime(2027, 3, 31, 7, 1, tzinfo=UTC))
    await harness.settle()
    assert len(_digests(harness, zeynep)) == 1
