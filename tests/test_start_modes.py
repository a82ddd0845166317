"""A wrong start is one line and a non-zero exit (issue 18 §6): `--webhook` or `--polling`
without a configured channel never falls back to the demo (only a bare `koordinat run` or
`koordinat demo` does), and the Procfile names each process's mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.process_support import ROOT, bot_env, run_bot


def _no_channel_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = bot_env(None, tmp_path / "k.db", **extra)
    del env["KOORDINAT_TELEGRAM_TOKEN"]
    return env


@pytest.mark.parametrize(("args", "names"), [
    (("--webhook",), "--webhook needs a configured channel"),
    (("--polling",), "KOORDINAT_TELEGRAM_TOKEN: needed for --polling"),
], ids=["webhook", "polling"])
async def test_a_mode_without_a_channel_is_one_line_and_exit_2_never_the_demo(
        tmp_path: Path, args: tuple[str, ...], names: str) -> None:
    env = _no_channel_env(tmp_path, KOORDINAT_WEBHOOK_URL="https://k.example.org", KOORDINAT_WEBHOOK_SECRET="s3cret")
    demo_files = ROOT / "demo-files"  # the README's first command may have played the demo here before
    before = sorted(demo_files.rglob("*")) if demo_files.exists() else []
    code, output = await run_bot(env, *args, timeout=60)
    lines = output.strip().splitlines()
    assert code == 2, output
    assert len(lines) == 1 and lines[0].startswith("koordinat: configuration error:") and names in lines[0]
    assert "demo" not in output.lower().replace("plays the demo", "")
    assert (sorted(demo_files.rglob("*")) if demo_files.exists() else []) == before  # no demo was played
    assert not (tmp_path / "k.db").exists()  # nothing was started


async def test_both_modes_together_are_a_usage_error(tmp_path: Path) -> None:
    code, output = await run_bot(_no_channel_env(tmp_path), "--webhook", "--polling", timeout=60)
    assert code == 2 and output.startswith("koordinat: ") and len(output.strip().splitlines()) == 1


def test_the_procfile_names_each_process_mode() -> None:
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines["web"].split() == ["koordinat", "run", "--webhook"]
    assert lines["worker"].split() == ["koordinat", "run", "--polling"]
