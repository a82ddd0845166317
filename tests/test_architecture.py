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


DRIVER_MODULES = {"aiosqlite", "asyncpg", "sqlite3", "psycopg", "psycopg2"}


def test_only_storage_talks_to_a_database_driver() -> None:
    """One storage interface, two backends (issue 21): the product outside `storage/` — core,
    adapters, emulator, demo, composition root — names no driver, not even as a type
    (`storage.sql.Connection` is the type)."""
    files = [path for package in ("bot", "handlers", "messages") for path in (ROOT / package).rglob("*.py")]
    offenders = [f"{path.relative_to(ROOT)} imports {sorted(_imports(path) & DRIVER_MODULES)}"
                 for path in files if _imports(path) & DRIVER_MODULES]
    assert offenders == []


def test_dialect_fragments_live_in_one_place() -> None:
    """SQL only one engine accepts stays out of the repositories: SQLite's conflict clauses,
    JSON and string functions, NOCASE, lastrowid; PostgreSQL's `$n` placeholders."""
    import re

    banned = re.compile(r"INSERT OR (IGNORE|REPLACE)|UPDATE OR REPLACE|json_extract|\binstr\(|COLLATE NOCASE|"
                        r"lastrowid|AUTOINCREMENT|\$[0-9]", re.I)
    allowed = {"db.py", "dialect.py", "postgres.py", "sql.py", "migrate_to.py"}
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in (ROOT / "storage").glob("*.py") if path.name not in allowed
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if banned.search(line)]
    assert offenders == []
