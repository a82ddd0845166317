"""The similar-proposal offer (issue 17 §3): titles and bodies compared separately, Turkish
folding, suffixes tolerated, word order ignored; real Turkish pairs that must be offered and
pairs that must not. The offer itself, through the chat, is in tests/test_coplanning_cycle.py
(the same shelter typed with inflected words) and below (a short body inside a long one)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.services.coplanning.similarity import same_word, score, similar, words
from tests.coplanning_support import open_budget_round, propose, with_button
from tests.harness import Harness
from tests.meetings_support import group_with, texts

# (title, body) pairs about the same thing: each must be offered, in both directions.
SAME = [
    # the kind: one shelter, inflected words, another order
    (("Kars'ta kadın sığınma evi açılsın", "Şiddet gören kadınların kalacak güvenli bir yeri yok."),
     ("Kadın sığınmaevinin açılması için bütçe", "Sığınmaevi için ödenek ayrılsın.")),
    (("Kadın konukevinin kapasitesi artırılsın", "Konukevi hep dolu, başvuranlar geri çevriliyor."),
     ("Konukevine yeni odalar", "Kadın konukevinde yer kalmıyor; yeni odalar eklensin, kapasite büyüsün.")),
    # word order and suffixes in the title; the bodies differ
    (("Kooperatiflerden belediye alımı yapılsın", "İkram alımları kadın kooperatiflerinden olsun."),
     ("Kadın kooperatiflerinden belediye alımı", "Hediyelikler yerel üreticilerden alınsın.")),
    # a close title must not be diluted by a long body
    (("Duraklara aydınlatma", "Otobüs duraklarına ışık konsun."),
     ("Durakların aydınlatılması",
      "Akşam işten dönen kadınlar karanlık duraklarda bekliyor; mahallelerdeki tüm otobüs ve dolmuş "
      "duraklarına güneş enerjili lamba, acil çağrı butonu ve kamera konsun, yol boyunca yürüyüş "
      "güzergahları da aydınlatılsın, belediye zabıtası akşam devriyesi yapsın.")),
    # a short body said inside a long one (titles unlike)
    (("Sığınma evi", "Kars'ta bir kadın sığınma evi açılsın."),
     ("Şiddet gören kadınlar için kalacak yer",
      "Kars'ta şiddetten kaçan kadınlar için bir sığınma evi açılsın; evde psikolog, avukat ve çocuklar "
      "için kreş bulunsun, adres gizli tutulsun, 7/24 telefon hattı olsun.")),
    # typed without Turkish letters, in capitals
    (("KRES SAATLERI UZATILSIN", "Kresler aksam 19'a kadar acik olsun."),
     ("Kreş saatlerinin uzatılması", "Belediye kreşleri akşam 19:00'a kadar açık olsun.")),
    # a typo
    (("Kadın sığınma evi açılsın", "Bir sığınma evi gerekli."),
     ("Kadın sıgnma evi açılması", "Sığınma evi için yer ayrılsın.")),
    # English
    (("Shelter for women", "Open a women's shelter with a psychologist."),
     ("A women's shelter should be opened", "The city needs a shelter for women leaving violence.")),
]

# Pairs that share a word or two but ask for different things: never offered.
DIFFERENT = [
    (("Duraklara aydınlatma ve acil çağrı", "Kış aylarında karanlık duraklara ışık ve acil çağrı butonu."),
     ("Kreş saatlerinin uzatılması", "Belediye kreşleri akşam 19:00'a kadar açık olsun.")),
    (("Parklara aydınlatma", "Parklar akşam karanlık, yürüyüş yolları aydınlatılsın."),
     ("Duraklara aydınlatma", "Otobüs duraklarına ışık konsun, bekleyen kadınlar güvende olsun.")),
    (("Kreş saatleri uzatılsın", "Kreşler akşam yediye kadar açık olsun."),
     ("Kreş ücretleri düşürülsün", "Düşük gelirli annelere kreş ücretsiz olsun.")),
    (("Kadın kooperatiflerine hibe", "Yeni kurulan kooperatiflere başlangıç hibesi verilsin."),
     ("Kadın kooperatiflerinden belediye alımı", "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")),
    (("Konukevi kapasitesi", "Konukevine oda eklensin."),
     ("Konut yardımı", "Yoksul kadınlara konut yardımı yapılsın.")),
    (("Sağlık taraması", "Kadınlara ücretsiz meme kanseri taraması yapılsın."),
     ("Spor salonu", "Kadınlara özel spor saatleri olsun, ücretsiz.")),
    (("Kadın muhtar adaylarına eğitim", "Seçimlerden önce kadın adaylara kampanya eğitimi verilsin."),
     ("Kadınlara meslek eğitimi", "İşsiz kadınlara bilgisayar ve muhasebe kursu açılsın.")),
    (("Childcare during council meetings", "Provide a crèche during council meetings."),
     ("Street lighting", "Light the dark streets of the old town.")),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_proposals_about_the_same_thing_are_offered(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert score(*a, *b, ignore=("Kars",)) >= 50, (a[0], b[0])
    assert score(*b, *a, ignore=("Kars",)) >= 50, (b[0], a[0])


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_proposals_sharing_a_word_are_not_offered(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert score(*a, *b, ignore=("Kars",)) < 50, (a[0], b[0])
    assert score(*b, *a, ignore=("Kars",)) < 50, (b[0], a[0])


def test_words_fold_drop_function_words_and_the_city() -> None:
    assert words("Kars'ta KADIN Sığınma Evi açılsın ve", ignore=("Kars",)) == ["siginma", "evi", "acilsin"]
    assert same_word("siginmaevinin", "siginma") and same_word("acilsin", "acilmasi")
    assert same_word("oda", "odalar") and not same_word("ev", "evler")  # two letters say nothing
    assert not same_word("konukevi", "konut") and not same_word("kapasite", "kapanis")


def test_similar_ranks_the_closest_first_and_keeps_to_the_limit() -> None:
    shelter = ("Kadın sığınma evi açılsın", "Kars'ta sığınma evi yok.")
    candidates = [(1, ("Kreş saatleri", "Kreşler akşam açık olsun.")),
                  (2, ("Sığınma evi", "Bir sığınma evi açılsın.")),
                  (3, ("Kadın sığınmaevinin açılması", "Sığınmaevi için ödenek ayrılsın."))]
    found = similar(shelter, candidates, ignore=("Kars",))
    assert [pid for pid, _ in found][:2] in ([2, 3], [3, 2]) and 1 not in [pid for pid, _ in found]
    assert len(similar(shelter, candidates, limit=1)) == 1


# -- through the chat --------------------------------------------------------------------------
@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=datetime(2027, 6, 7, 6, 0, tzinfo=UTC))


async def test_a_short_proposal_inside_a_long_one_is_offered_and_an_unrelated_one_is_not(harness: Harness) -> None:
    zeynep, (ayse, elif_, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Elif", "tr"), ("Fatma", "tr"))
    run = await open_budget_round(harness, zeynep)
    long = await propose(harness, ayse, "Şiddet gören kadınlar için kalacak yer",
                         "Kars'ta şiddetten kaçan kadınlar için bir sığınma evi açılsın; evde psikolog, avukat ve "
                         "çocuklar için kreş bulunsun, adres gizli tutulsun.", round_id=run.round_id)
    short = await propose(harness, elif_, "Sığınma evi", "Kars'ta bir kadın sığınma evi açılsın.",
                          round_id=run.round_id)
    offer = await with_button(harness, elif_, f"cp:sim:{short.proposal_id}:{long.proposal_id}:")
    assert long.ref in offer.text
    await propose(harness, fatma, "Parklara aydınlatma", "Parklar akşam karanlık, yürüyüş yolları aydınlatılsın.",
                  round_id=run.round_id)
    await harness.settle()
    assert not any("Benzer bir öneri" in text for text in texts(harness, fatma))
