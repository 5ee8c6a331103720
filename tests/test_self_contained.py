"""The project stands alone: a clone of it, with nothing beside it, has every file it refers to."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".git", ".venv", "build", "node_modules", "vendor", "__pycache__", ".pytest_cache"}
TEXT = {".py", ".md", ".toml", ".ini", ".cfg", ".txt", ".graphql", ".tmpl", ".sh", ".yml"}
OUTSIDE = re.compile(r"\.\./shared|shared/data|shared/DESIGN|shared/API")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def project_files(suffixes: set[str]) -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*")
        if path.suffix in suffixes
        and path.is_file()
        and not SKIPPED & set(path.relative_to(ROOT).parts)
        and not any(part.endswith(".egg-info") for part in path.relative_to(ROOT).parts)
    ]


def test_no_file_refers_to_the_folder_beside_the_project() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in project_files(TEXT)
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert found == []


def test_every_relative_link_of_the_documentation_is_a_file_of_the_project() -> None:
    broken = []
    for page in project_files({".md"}):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            resolved = (page.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert broken == []
