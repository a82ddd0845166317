"""The operator sets a group's target card (baseline and yearly targets) from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import _koordinat


def test_survey_target_sets_and_shows_the_target_card(tmp_path: Path) -> None:
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    done = _koordinat(tmp_path, "survey", "target", "Kars", "I4", "--baseline", "1.250", "--baseline-year", "2024",
                      "--target", "2026=1.400", "--target", "2027=1.600")
    assert done.returncode == 0, done.stderr
    assert "I4 Municipal childcare capacity [places] — baseline 1250 (2024); targets 2026: 1400, 2027: 1600" \
        in done.stdout
    share = _koordinat(tmp_path, "survey", "target", "1", "i9", "--target", "2027=%75")
    assert "targets 2027: 75" in share.stdout, share.stderr
    cards = _koordinat(tmp_path, "survey", "target", "kadın dostu kent")
    assert "I4 " in cards.stdout and "I9 " in cards.stdout

    for args, message in ((("Kars", "I99", "--target", "2027=1"), "unknown indicator 'I99'"),
                          (("Kars", "I4", "--target", "2027"), "write YEAR=VALUE"),
                          (("Kars", "I4", "--baseline", "çok"), "give --baseline and --baseline-year together"),
                          (("Kars", "I4", "--baseline", "çok", "--baseline-year", "2024"), "as a number")):
        refused = _koordinat(tmp_path, "survey", "target", *args)
        assert refused.returncode == 2 and message in refused.stderr, (args, refused.stderr)
    missing = _koordinat(tmp_path, "survey", "target", "İzmir", "I4")  # no such group: 1, as everywhere
    assert missing.returncode == 1 and "no group 'İzmir'" in missing.stderr, missing.stderr
    library = _koordinat(tmp_path, "survey", "library")
    assert "I16" in library.stdout and "izleme" in library.stdout
