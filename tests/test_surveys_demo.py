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


@pytest.mark.parametrize("language", ["tr", "en"])
async def test_the_survey_steps_of_the_tour(tmp_path: Path, language: str) -> None:
    lines: list[str] = []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    result = await play(settings, Koordinat, script=True, language=language, write=lines.append,
                        files=tmp_path / "demo-files", color=False, steps=SURVEYING)
    out = "\n".join(lines)
    assert result == 0, out[-3000:]
    if language == "tr":
        assert "Ekonomik güçlenme izlemesi (Gaziantep)" in out and "→ %27,5" in out and "→ 1.250" in out
        assert "Yanıtlayan: 1/4" in out
    else:
        assert "→ 27.5%" in out and "→ 1,250" in out and "Answered: 1/4" in out


def test_every_city_has_an_open_survey_template() -> None:
    seeds = load_seeds()
    assert set(seeds.templates) == {"İstanbul", "İzmir", "Gaziantep", "Kars"}
    assert seeds.targets["Gaziantep"]["I13"].targets[2026] == 1100
