"""A co-planning round lasts the whole cycle (issue 17 §3), lived over months with the moved
clock: a budget round opened in June, adopted in August, sent to the council in September,
decided in November, and a resubmission the next June — through the real PTB Application
against the fake Bot API, a real SQLite file and the real scheduler.

Kinds covered, each with cases beside the issue's example:
1. a round stays reachable (`/oneriler`, `/gorus`, `/oy`, the sheet) until every proposal has
   a recorded fate or a coordinator archives it; archived and settled rounds stay browsable
   under "older rounds";
2. no vote: no ranking, no opinion, no "draft" — in chat, in the CLI and in the spreadsheet;
   "draft" only while the consent round runs (also after downtime over its end);
3. the 60-day "no answer yet" flag counts from the day the opinion went to the council;
4. (similarity: tests/test_coplanning_similarity.py);
5. a resubmission's history, the adoption date on the opinion, references per group, the
   stated objection rule.
"""

from __future__ import annotations

from pathlib import Path

import io
from datetime import UTC, date, datetime, timedelta

import docx
import pytest

from bot.clock import ManualClock
from bot.models import Actor
from tests.coplanning_support import (Decision, command, consent, expect, fragment, open_budget_round, propose,
                                      record_decision, resubmit, run_round_to_decision, until, vote,
                                      with_button)
from tests.harness import Harness, Person
from tests.meetings_support import group_with, texts
from tests.whatsapp_support import graph, wa  # noqa: F401  (fixtures)

# Monday 7 June 2027, 09:00 in Istanbul: the season a budget round opens.
JUNE = datetime(2027, 6, 7, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=JUNE)


def at(day: str, hour: int = 10) -> datetime:
    """`dd.mm.yyyy` at `hour`:00 in Istanbul (UTC+3), as UTC."""
    d, m, y = (int(part) for part in day.split("."))
    return datetime(y, m, d, hour - 3, 0, tzinfo=UTC)


def docx_text(data: bytes | None) -> str:
    assert data is not None
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def press_and_wait(harness: Harness, person: Person, message, choice: str, key: str):  # type: ignore[no-untyped-def]
    await harness.server.press_button(person.user, message, choice)
    return await expect(harness, person, key)


SHELTER = ("Kars'ta kadın sığınma evi açılsın",
           "Şiddet gören kadınların kalacak güvenli bir yeri yok; belediye bir sığınma evi açsın.")
SHELTER_AGAIN = ("Kadın sığınmaevinin açılması için bütçe", "Sığınmaevi için 2028 bütçesinde ödenek ayrılsın.")
CHILDCARE = ("Childcare during council meetings",
             "Provide a crèche during municipal council meetings so that mothers can attend them.")


async def test_a_budget_round_from_june_to_the_councils_decision_in_november(harness: Harness) -> None:
    zeynep, (ayse, elif_, jane) = await group_with(harness, ("Ayşe", "tr"), ("Elif", "tr"), ("Jane", "en"))
    run = await open_budget_round(harness, zeynep)
    assert run.year == 2028 and run.adopt_until == at("18.08.2027", 23) + timedelta(minutes=59)
    # The round's own text states what an objection does.
    opened = await harness.next_containing(jane, "has started!")
    assert "an objection does not stop the opinion" in opened.text
    assert "itiraz görüşü durdurmaz" in (await harness.next_containing(ayse, "öneri turu başladı")).text

    shelter = await propose(harness, ayse, *SHELTER, round_id=run.round_id)
    assert shelter.ref == "KARS-2028-B1-001"
    again = await propose(harness, elif_, *SHELTER_AGAIN, round_id=run.round_id)
    offer = await with_button(harness, elif_, f"cp:sim:{again.proposal_id}:{shelter.proposal_id}:")
    assert shelter.ref in offer.text  # inflected Turkish words, another order: still the same shelter
    await press_and_wait(harness, elif_, offer, f"cp:sim:{again.proposal_id}:{shelter.proposal_id}:keep",
                         "coplan.kept_separate")
    childcare = await propose(harness, jane, *CHILDCARE, round_id=run.round_id)

    await until(harness, run.discuss_until + timedelta(hours=9))  # 05.08: voting
    await vote(harness, ayse, run.round_id, [shelter.proposal_id])
    await vote(harness, jane, run.round_id, [childcare.proposal_id, shelter.proposal_id])
    await until(harness, run.vote_until + timedelta(hours=9))  # 12.08: the count, the consent round
    result = await with_button(harness, jane, f"cp:cs:{run.round_id}:")
    assert "Rule: an objection does not stop the opinion" in result.text
    await consent(harness, jane, run.round_id, "object", "Childcare should rank first.", result=result)
    await consent(harness, ayse, run.round_id, "agree")

    # During the consent round the opinion is a draft, and says so.
    await command(harness, zeynep, "/gorus", "/opinion")
    draft = await harness.server.wait_for_message(zeynep.user, lambda m: bool(m.document_name))
    assert "TASLAK" in draft.text and "TASLAK" in docx_text(draft.document_bytes)

    await until(harness, run.adopt_until + timedelta(hours=9))  # 19.08: adopted on 18.08
    final = await harness.server.wait_for_message(
        zeynep.user, lambda m: bool(m.document_name) and "5393" in (m.text or ""))
    body = docx_text(final.document_bytes)
    assert "Tarih: 18.08.2027" in body and "TASLAK" not in body
    assert "itiraz görüşü durdurmaz" in body and "Childcare should rank first." in body and "Karşıyım: 1" in body

    # 27 September: 40 days after the consent round. Everything is still there.
    await until(harness, at("27.09.2027"))
    await command(harness, zeynep, "/oneriler", "/proposals")
    heading = await with_button(harness, zeynep, f"cp:sent:{run.round_id}")
    assert "Görüş meclise gönderildi: 18.08.2027 · yanıt bekleyen: 3 öneri" in heading.text
    assert {f"cp:doc:{run.round_id}", f"cp:res:{run.round_id}", f"cp:arc:{run.round_id}"} <= set(heading.callback_datas)
    await command(harness, jane, "/oneriler", "/proposals")
    english = await with_button(harness, jane, f"cp:res:{run.round_id}")
    assert "awaiting an answer: 3 proposal(s)" in english.text and "Aşama" not in english.text
    await command(harness, ayse, "/oy", "/vote")
    no_vote = await expect(harness, ayse, "coplan.no_voting_round")
    assert no_vote.callback_datas == [f"cp:res:{run.round_id}"]  # the result is still one tap away
    await command(harness, zeynep, "/gorus", "/opinion")
    again_doc = await harness.server.wait_for_message(zeynep.user, lambda m: bool(m.document_name))
    assert "TASLAK" not in again_doc.text
    assert "Tarih: 18.08.2027" in docx_text(again_doc.document_bytes)  # the adoption, not 27.09
    await command(harness, zeynep, "/oneriler", "/proposals")
    offer_sheet = await with_button(harness, zeynep, "cp:xlsx")
    await harness.server.press_button(zeynep.user, offer_sheet, "cp:xlsx")
    await harness.server.wait_for_message(zeynep.user, lambda m: m.document_name == "oneriler.xlsx")

    # The day the opinion went to the council: checked, then saved.
    await command(harness, zeynep, "/oneriler", "/proposals")
    heading = await with_button(harness, zeynep, f"cp:sent:{run.round_id}")
    await press_and_wait(harness, zeynep, heading, f"cp:sent:{run.round_id}", "coplan.ask_sent_on")
    before = await harness.send(zeynep, "10.08.2027")
    assert "18.08.2027 tarihinde kesinleşti" in before.text
    future = await harness.send(zeynep, "01.10.2027")
    assert "henüz gelmedi" in future.text and "27.09.2027" in future.text  # today as the example
    vague = await harness.send(zeynep, "geçen ay")
    assert "gün.ay.yıl" in vague.text and "bugün" in vague.text and "numara" not in vague.text
    saved = await harness.send(zeynep, "01.09.2027")
    assert "01.09.2027" in saved.text and "31.10.2027" in saved.text

    # The flag: nothing on 30 October (day 59), once on 31 October (day 60), all three named.
    await until(harness, at("30.10.2027", 14))
    await harness.settle()
    assert not any("yanıt yok" in text for text in texts(harness, zeynep))
    await until(harness, at("31.10.2027", 14))
    flag = await harness.next_containing(zeynep, "yanıt yok")
    assert "01.09.2027 tarihinde meclise gönderildi, 60 gündür" in flag.text
    for ref in (shelter.ref, again.ref, childcare.ref):
        assert ref in flag.text
    assert f"cp:fate:{shelter.proposal_id}" in flag.callback_datas
    await until(harness, at("03.11.2027", 14))
    await harness.settle()
    assert sum("yanıt yok" in text for text in texts(harness, zeynep)) == 1

    # November: the council decides. The round stays current until the last fate is recorded.
    await until(harness, at("20.11.2027"))
    await record_decision(harness, zeynep, shelter.proposal_id, "adopted", "19.11.2027 2027/88")
    await record_decision(harness, zeynep, again.proposal_id, "rejected", "19.11.2027 2027/88 Mükerrer kalem")
    await command(harness, zeynep, "/oneriler", "/proposals")
    assert "yanıt bekleyen: 1 öneri" in (await with_button(harness, zeynep, f"cp:sent:{run.round_id}")).text
    await record_decision(harness, zeynep, childcare.proposal_id, "partly", "19.11.2027 2027/88 Pilot")

    # Every fate recorded: the round is "older" now, one tap away, with its opinion.
    await command(harness, zeynep, "/oneriler", "/proposals")
    await expect(harness, zeynep, "coplan.no_rounds")
    older = await with_button(harness, zeynep, "cp:old:0")
    assert "Önceki turlar (1)" in older.text
    listing = await press_and_wait(harness, zeynep, older, "cp:old:0", "coplan.older_heading")
    assert "2028 bütçesi" in listing.button_texts[0]
    await harness.server.press_button(zeynep.user, listing, f"cp:rd:{run.round_id}")
    opened_old = await with_button(harness, zeynep, f"cp:doc:{run.round_id}")
    assert "yanıt bekleyen: 0 öneri" in opened_old.text
    await harness.server.press_button(zeynep.user, opened_old, f"cp:doc:{run.round_id}")
    old_doc = await harness.server.wait_for_message(zeynep.user, lambda m: bool(m.document_name))
    assert "Tarih: 18.08.2027" in docx_text(old_doc.document_bytes)
    await command(harness, zeynep, "/gorus", "/opinion")
    await expect(harness, zeynep, "coplan.no_opinion_yet")
    assert "cp:old:0" in (await with_button(harness, zeynep, "cp:old:0")).callback_datas

    # Next June: the group's second round. Elif resubmits; her proposal keeps its history.
    await until(harness, at("07.06.2028"))
    second = await open_budget_round(harness, zeynep)
    assert second.year == 2029
    await command(harness, elif_, "/oneriler", "/proposals")
    previous = await with_button(harness, elif_, f"cp:rs:{again.proposal_id}:{second.round_id}")
    assert again.ref in previous.text and "Mükerrer kalem" in previous.text
    resubmitted = await resubmit(harness, elif_, again.proposal_id, second.round_id)
    assert resubmitted.ref == "KARS-2029-B2-001"  # the group's 2nd round, whatever the database holds
    new_id = resubmitted.proposal_id
    await command(harness, elif_, "/oneriler", "/proposals")
    listing = await with_button(harness, elif_, f"cp:v:{new_id}")
    card = (await press_and_wait(harness, elif_, listing, f"cp:v:{new_id}", "coplan.card_history")).text
    assert "KARS-2028-B1-002: ❌ Reddedildi (19.11.2027, karar no: 2027/88). Gerekçe: Mükerrer kalem" in card
    # The sheet and the next opinion keep it too.
    import openpyxl

    sheet = await harness.services.coplanning.export_attachment([1], "tr")
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows()]
    assert rows[0][12] == "Önceki referans"
    assert [row[12] for row in rows[1:] if row[3] == "KARS-2029-B2-001"] == ["KARS-2028-B1-002"]
    await until(harness, second.discuss_until + timedelta(hours=9))
    await vote(harness, elif_, second.round_id, [new_id])
    await until(harness, second.vote_until + timedelta(hours=9))
    await command(harness, zeynep, "/gorus", "/opinion")
    next_opinion = docx_text((await harness.server.wait_for_message(
        zeynep.user, lambda m: bool(m.document_name) and "TASLAK" in (m.text or ""))).document_bytes)
    assert "Önceki sunuşlar:" in next_opinion and "KARS-2028-B1-002: ❌ Reddedildi" in next_opinion


async def test_the_simulation_helper_runs_a_round_to_the_councils_decision(harness: Harness) -> None:
    """`run_round_to_decision` (what tests/test_plan_year.py calls) ends with every fate
    recorded, the authors told, and the round under "older rounds"."""
    zeynep, (ayse, jane) = await group_with(harness, ("Ayşe", "tr"), ("Jane", "en"))
    run = await run_round_to_decision(
        harness, zeynep, [(ayse, *SHELTER), (jane, *CHILDCARE)], [ayse, jane],
        sent_on=date(2027, 9, 1), decided_on=date(2027, 11, 19),
        decisions=[Decision("adopted", "2027/88"), Decision("rejected", "2027/88", "Budget limits")])
    assert run.opinion is not None and run.opinion.document_name
    rows = await harness.services.db.fetchall("SELECT outcome FROM proposals ORDER BY id")
    assert [row[0] for row in rows] == ["adopted", "rejected"]
    told = await harness.next_containing(jane, "Budget limits")
    assert "Rejected" in told.text and "19 Nov 2027" in told.text  # her language, her date format
    assert await harness.services.coplanning.rounds.current([1]) == []
    assert [r.id for r in await harness.services.coplanning.rounds.older([1])] == [run.round_id]


async def test_an_archived_round_is_older_but_browsable_and_no_longer_flagged(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "en"))
    run = await open_budget_round(harness, zeynep)
    shelter = await propose(harness, ayse, *SHELTER, round_id=run.round_id)
    # A running round cannot be archived; a member cannot archive at all.
    coordinator = Actor(channel="telegram", external_id=str(zeynep.chat_id))
    member = Actor(channel="telegram", external_id=str(ayse.chat_id))
    conversation = harness.services.conversation
    refused = await conversation.on_choice(coordinator, f"cp:arc:{run.round_id}")
    assert "Tur sürerken arşivlenemez" in refused[0].text and "18.08.2027 23:59" in refused[0].text
    assert "yalnızca koordinatörler" not in refused[0].text
    await until(harness, run.discuss_until + timedelta(hours=9))
    await vote(harness, ayse, run.round_id, [shelter.proposal_id])
    await until(harness, run.adopt_until + timedelta(hours=9))
    not_hers = await conversation.on_choice(member, f"cp:arc:{run.round_id}")
    assert "coordinators" in not_hers[0].text

    # On 1 September, with no fate recorded, the coordinator archives it (she will not follow it).
    await until(harness, at("01.09.2027"))
    assert [r.id for r in await harness.services.coplanning.rounds.current([1])] == [run.round_id]
    await command(harness, zeynep, "/oneriler", "/proposals")
    heading = await with_button(harness, zeynep, f"cp:arc:{run.round_id}")
    done = await press_and_wait(harness, zeynep, heading, f"cp:arc:{run.round_id}", "coplan.archived_done")
    assert f"cp:unarc:{run.round_id}" in done.callback_datas
    again = await conversation.on_choice(coordinator, f"cp:arc:{run.round_id}")
    assert "zaten arşivde" in again[0].text
    # Archived: the 60-day flag (due 17.10) never comes.
    await until(harness, at("20.11.2027"))
    await harness.settle()
    assert not any("yanıt yok" in text for text in texts(harness, zeynep))

    # Ayşe (English) finds it under "Older rounds", opens it, reads the result.
    await command(harness, ayse, "/oneriler", "/proposals")
    await expect(harness, ayse, "coplan.no_rounds")
    older = await with_button(harness, ayse, "cp:old:0")
    assert "Older rounds (1)" in older.text
    listing = await press_and_wait(harness, ayse, older, "cp:old:0", "coplan.older_heading")
    assert listing.button_texts == ["2028 budget · Kars"]
    await harness.server.press_button(ayse.user, listing, f"cp:rd:{run.round_id}")
    opened = await with_button(harness, ayse, f"cp:res:{run.round_id}")
    assert "🗂 Archived: 1 Sep 2027" in opened.text and f"cp:unarc:{run.round_id}" not in opened.callback_datas
    result = await press_and_wait(harness, ayse, opened, f"cp:res:{run.round_id}", "coplan.result_heading")
    assert "1. KARS-2028-B1-001" in result.text and not result.buttons  # the consent round is over

    # Unarchived, the round is current again.
    replies = await conversation.on_choice(coordinator, f"cp:unarc:{run.round_id}")
    assert "arşivden çıktı" in replies[0].text
    assert [r.id for r in await harness.services.coplanning.rounds.current([1])] == [run.round_id]


async def test_no_vote_means_no_ranking_and_no_opinion_in_chat_cli_and_sheet(harness: Harness, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    import openpyxl

    zeynep, (ayse, jane) = await group_with(harness, ("Ayşe", "tr"), ("Jane", "en"))
    run = await open_budget_round(harness, zeynep)
    await propose(harness, ayse, *SHELTER, round_id=run.round_id)
    await propose(harness, jane, *CHILDCARE, round_id=run.round_id)
    await until(harness, run.vote_until + timedelta(hours=9))  # nobody voted
    result = await harness.next_containing(jane, "Nobody voted")
    assert "no ranking" in result.text and "1." not in result.text and "(tie)" not in result.text
    assert not result.buttons

    # During what would have been the consent round, and after it: never a "draft".
    for moment in (run.vote_until + timedelta(hours=2), run.adopt_until + timedelta(days=40)):
        await until(harness, moment)
        await command(harness, zeynep, "/gorus", "/opinion")
        answer = await expect(harness, zeynep, "coplan.opinion_no_votes")
        assert "TASLAK" not in answer.text and not answer.document_name
        await command(harness, zeynep, "/oneriler", "/proposals")
        heading = await with_button(harness, zeynep, f"cp:res:{run.round_id}")
        assert "Kimse oy vermedi: sıralama ve görüş belgesi yok." in heading.text
        assert f"cp:doc:{run.round_id}" not in heading.callback_datas
        forged = await harness.services.conversation.on_choice(
            Actor(channel="telegram", external_id=str(zeynep.chat_id)), f"cp:doc:{run.round_id}")
        assert "kimse oy vermedi" in forged[0].text and forged[0].attachment is None
    await harness.settle()
    assert not any((m.document_name or "").endswith(".docx") for m in harness.server.messages(zeynep.user))

    # The spreadsheet says the same: no rank, no count.
    offer = await with_button(harness, zeynep, "cp:xlsx")
    await harness.server.press_button(zeynep.user, offer, "cp:xlsx")
    sheet_file = await harness.server.wait_for_message(zeynep.user, lambda m: m.document_name == "oneriler.xlsx")
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(sheet_file.document_bytes)).active.iter_rows()]
    assert [row[8] for row in rows[1:]] == ["oy verilmedi", "oy verilmedi"]
    assert [row[7] for row in rows[1:]] == [None, None]

    # And the command line.
    await harness.stop()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(harness.database)
    # This checkout's code, whatever the installed package points at.
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "bot", "export", "opinion", str(run.round_id), "--output",
                           str(tmp_path / "gorus.docx")], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=90)
    assert done.returncode == 1 and "nobody voted in round 1" in done.stderr
    assert not (tmp_path / "gorus.docx").exists()
    listed = subprocess.run([sys.executable, "-m", "bot", "group", "rounds", "Kars"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=90)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("1\tKadın Dostu Kent (Kars)\tbudget 2028\t") and "voters: 0" in listed.stdout
    assert "awaiting the council: 2" in listed.stdout  # no fate recorded: never dropped by age
    unknown = subprocess.run([sys.executable, "-m", "bot", "group", "rounds", "Ankara"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=90)
    assert unknown.returncode == 1 and "no group 'Ankara'" in unknown.stderr
    english = subprocess.run([sys.executable, "-m", "bot", "export", "proposals", "--language", "en", "--output",
                              str(tmp_path / "all.xlsx")], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=90)
    assert english.returncode == 0, english.stderr
    sheet = openpyxl.load_workbook(tmp_path / "all.xlsx").active
    assert [sheet.cell(row=r, column=9).value for r in (2, 3)] == ["no votes cast", "no votes cast"]


async def test_an_outage_over_the_consent_rounds_end_leaves_no_draft(harness: Harness) -> None:
    """The bot is stopped before the consent round ends and started days later: the opinion
    is final, dated the round's end (not the restart, not the download)."""
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    run = await open_budget_round(harness, zeynep)
    shelter = await propose(harness, ayse, *SHELTER, round_id=run.round_id)
    await until(harness, run.discuss_until + timedelta(hours=9))
    await vote(harness, ayse, run.round_id, [shelter.proposal_id])
    await until(harness, run.vote_until + timedelta(hours=9))
    await with_button(harness, ayse, f"cp:cs:{run.round_id}:")
    await harness.stop()
    await until(harness, run.adopt_until + timedelta(days=3))
    await harness.start()
    await command(harness, zeynep, "/gorus", "/opinion")
    document = await harness.server.wait_for_message(
        zeynep.user, lambda m: bool(m.document_name) and "TASLAK" not in (m.text or ""), timeout=8.0)
    assert "Tarih: 18.08.2027" in docx_text(document.document_bytes)
    adopted = await harness.services.db.fetchone("SELECT adopted_at FROM proposal_rounds WHERE id = ?", (run.round_id,))
    assert str(adopted[0]).startswith("2027-08-18T20:59")
    await harness.settle()
    assert sum(1 for m in harness.server.messages(zeynep.user) if "5393" in (m.text or "") and m.document_name) >= 1


async def test_references_count_each_groups_own_rounds(harness: Harness) -> None:
    """Kars's and İzmir's rounds interleave in one database; each group's references count
    its own rounds. Two groups of one city never share a reference."""
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    selin, (deniz,) = await group_with(harness, ("Deniz", "tr"), name="Eşit Kent", city="İzmir")
    kars = await open_budget_round(harness, zeynep)
    izmir = await open_budget_round(harness, selin)
    assert izmir.round_id == 2
    first_izmir = await propose(harness, deniz, *SHELTER, round_id=izmir.round_id)
    assert first_izmir.ref == "IZMIR-2028-B1-001"  # İzmir's first round, though the database's second
    first_kars = await propose(harness, ayse, *CHILDCARE, round_id=kars.round_id)
    assert first_kars.ref == "KARS-2028-B1-001"
    # A second Kars group (another working group of the same city).
    leyla, (sevgi,) = await group_with(harness, ("Sevgi", "tr"), name="Kars Gençlik", city="Kars")
    other = await open_budget_round(harness, leyla)
    twin = await propose(harness, sevgi, *CHILDCARE, round_id=other.round_id)
    assert twin.ref != first_kars.ref and twin.ref.endswith("-2028-B1-001") and twin.ref.startswith("KARS")
    # The consent rule and the adoption date are part of every opinion, in both languages.
    from bot.services.coplanning.opinion import t as plain_t

    assert "objection does not stop" in plain_t("coplan.doc_consent_rule", "en")
    assert fragment("coplan.doc_consent_rule", "tr") in plain_t("coplan.doc_consent_rule", "tr")


async def test_a_round_nobody_voted_in_ends_when_its_proposals_move_on_to_the_next_round(harness: Harness) -> None:
    """No vote, no fate to wait for from the council: the round stays current (with the
    archive button) until its proposals are resubmitted to the next round, then it is older."""
    zeynep, (ayse, jane) = await group_with(harness, ("Ayşe", "tr"), ("Jane", "en"))
    run = await open_budget_round(harness, zeynep)
    shelter = await propose(harness, ayse, *SHELTER, round_id=run.round_id)
    childcare = await propose(harness, jane, *CHILDCARE, round_id=run.round_id)
    await until(harness, at("07.06.2028"))  # a year on, nobody voted and nobody archived
    rounds = harness.services.coplanning.rounds
    assert [r.id for r in await rounds.current([1])] == [run.round_id]
    second = await open_budget_round(harness, zeynep)
    told = await harness.next_containing(jane, "«2029 budget» has started!")
    assert "Proposals from earlier rounds still unanswered or rejected: 2" in told.text
    await resubmit(harness, ayse, shelter.proposal_id, second.round_id)
    assert run.round_id in [r.id for r in await rounds.current([1])]  # Jane's is still waiting
    again = await resubmit(harness, jane, childcare.proposal_id, second.round_id)
    assert again.ref == "KARS-2029-B2-002"
    assert [r.id for r in await rounds.current([1])] == [second.round_id]
    assert [r.id for r in await rounds.older([1])] == [run.round_id]


async def test_a_whatsapp_member_reads_an_archived_round_under_older_rounds(wa) -> None:  # type: ignore[no-untyped-def]
    """The same lifetime on WhatsApp: months later, the archived round is one list pick away."""
    from bot.emulator.whatsapp import FakeWaUser

    created = await wa.create_group()
    zeynep = wa.person("Zeynep")
    await wa.join(zeynep, created.coordinator_invite.code)
    ayse = wa.person("Ayşe")
    await wa.join(ayse, created.member_invite.code)
    gul = FakeWaUser(user_id="905551112233", name="Gül")
    await wa.wa_join(gul, created.member_invite.code, language="tr")
    run = await open_budget_round(wa, zeynep)
    await propose(wa, ayse, *SHELTER, round_id=run.round_id)
    await until(wa, run.adopt_until + timedelta(days=1))  # nobody voted
    await command(wa, zeynep, "/oneriler", "/proposals")
    heading = await with_button(wa, zeynep, f"cp:arc:{run.round_id}")
    await press_and_wait(wa, zeynep, heading, f"cp:arc:{run.round_id}", "coplan.archived_done")
    await until(wa, at("20.11.2027"))
    await wa.wa_skip(gul)
    await wa.graph.send_text(gul, "/oneriler")
    older = await wa.wa_next(gul, "Önceki turlar (1)")
    listing = await wa.wa_tap(gul, older, "🗂 Önceki turlar")
    assert "Önceki turlar (1)" in listing.text
    opened = await wa.wa_tap(gul, listing, "2028 bütçesi · Kars")
    assert "Arşivlendi" in opened.text and "Kimse oy vermedi" in opened.text
