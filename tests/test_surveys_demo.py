"""The demo's surveys: one open survey per city, and the tour's survey steps (played on their
own, in both languages, since the whole tour is a longer test in test_demo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import Koordinat
from bot.config import Settings
from bot.demo import play
from bot.demo.surveys import load_seeds
from bot.demo.tour import SURVEYING
from tests.harness import DEMO_TODAY


@pytest.mark.parametrize("language", ["tr", "en"])
async def test_the_survey_steps_of_the_tour(tmp_path: Path, language: str) -> None:
    lines: list[str] = []
    settings = Settings(_env_file=None, demo_today=DEMO_TODAY)  # type: ignore[call-arg]
    result = await play(settings, Koordinat, script=True, language=language, write=lines.append,
                        files=tmp_path / "demo-files", color=False, steps=SURVEYING)
    out = "\n".join(lines)
    assert result == 0, out[-3000:]
    out = out.replace("*", "").replace("_", "")  # Ayşe is on WhatsApp: *bold*, _italic_
    if language == "tr":
        assert "Ekonomik güçlenme izlemesi (Gaziantep)" in out and "→ %27,5" in out and "→ 1.250" in out
        assert "Yanıtlayan: 1/4" in out
    else:
        assert "→ 27.5%" in out and "→ 1,250" in out and "Answered: 1/4" in out


def test_every_city_has_an_open_survey_template() -> None:
    seeds = load_seeds()
    assert set(seeds.templates) == {"İstanbul", "İzmir", "Gaziantep", "Kars"}
    assert seeds.targets["Gaziantep"]["I13"].targets[2026] == 1100


async def test_in_the_terminal_a_number_typed_at_a_number_question_is_the_answer(tmp_path: Path) -> None:
    lines = iter(["/as Hatice", "/anketler", "1", "40", "/quit"])
    out: list[str] = []

    async def read_line(prompt: str) -> str | None:
        return next(lines, None)

    settings = Settings(_env_file=None, demo_today=DEMO_TODAY, database=tmp_path / "unused.db")  # type: ignore[call-arg]
    code = await play(settings, Koordinat, script=False, language="tr", read_line=read_line,
                      write=out.append, files=tmp_path / "files", color=False)
    text = "\n".join(out)
    assert code == 0
    assert "✓ Kaydedildi: %40" in text and "2/6" in text and "numaralı bir düğme yok" not in text
