"""The core knows no chat platform (docs/architecture.md, "Layers"): checked by parsing imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_MODULES = {"telegram", "starlette", "httpx", "aiohttp", "pywa", "tornado", "uvicorn"}
ALLOWED = {ROOT / "bot" / "__main__.py"}
ALLOWED_DIRS = {ROOT / "bot" / "emulator", ROOT / "bot" / "demo"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _core_files() -> list[Path]:
    """Every module of the core, storage and messages, except the composition root and emulator."""
    return [path for package in ("bot", "storage", "messages") for path in (ROOT / package).rglob("*.py")
            if path not in ALLOWED and not any(parent in ALLOWED_DIRS for parent in path.parents)]


def test_core_storage_and_messages_import_no_platform_library() -> None:
    offenders = [f"{path.relative_to(ROOT)} imports {sorted(_imports(path) & PLATFORM_MODULES)}"
                 for path in _core_files() if _imports(path) & PLATFORM_MODULES]
    assert offenders == []


def test_core_does_not_import_the_adapters() -> None:
    offenders = [str(path.relative_to(ROOT)) for path in _core_files() if "handlers" in _imports(path)]
    assert offenders == []


def test_no_user_facing_literals_in_handlers() -> None:
    """Handlers hand texts through from `messages/`; a send_message with a literal is a bug."""
    offenders = []
    for path in (ROOT / "handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in {"send_message", "reply_text", "answer"}:
                for arg in [*node.args, *(kw.value for kw in node.keywords if kw.arg in {"text", "caption"})]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.strip():
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
