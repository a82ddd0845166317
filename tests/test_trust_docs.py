"""The project documents itself (issue 8, item 20): docs/architecture.md exists, covers what
the next engineer needs, is pointed to from README, pyproject and the tests, and nothing
refers to a DESIGN.md that a clone does not have."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def test_architecture_notes_cover_layers_paths_and_rules() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    for heading in ("## 1. Layers", "inbox → services → outbox", "## 3. Timed messages", "## 5. Adding a feature",
                    "## 6. Adding a channel"):
        assert heading in text, heading
    for rule in ("After commit", "Acknowledge after commit", "Texts about time are computed when sent",
                 "Typed words answer the pending question first", "Choice ids are input, not proof",
                 "clean_text", "require_text", "expects"):
        assert rule in text, rule


def test_readme_pyproject_and_tests_point_to_it_and_nothing_to_design_md() -> None:
    for path in ("README.md", "pyproject.toml", "tests/README.md"):
        assert "docs/architecture.md" in (ROOT / path).read_text(encoding="utf-8"), path
    offenders = []
    for path in ROOT.rglob("*"):
        if ".git" in path.parts or not path.is_file() or path.suffix not in {".py", ".md", ".toml", ".sql", ".txt"}:
            continue
        if path == Path(__file__):
            continue
        if "DESIGN.md" in path.read_text(encoding="utf-8", errors="ignore"):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
