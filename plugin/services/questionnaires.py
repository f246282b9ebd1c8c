"""Loading the shipped self-assessment questionnaires from ``curricula/questionnaires/`` and checking files."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from plugin.domain.assessments import Questionnaire, parse_questionnaire
from plugin.domain.catalogue import CatalogueError

FOLDER = "questionnaires"


def default_root() -> Path:
    """The ``curricula/`` folder shipped with Tandem."""
    from importlib.resources import files

    return Path(str(files("curricula")))


def check_files(paths: Iterable[Path]) -> tuple[list[Questionnaire], list[CatalogueError]]:
    """Parse questionnaire files: every error of every file (a file with any error gives no questionnaire)."""
    found: list[Questionnaire] = []
    errors: list[CatalogueError] = []
    seen: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            errors.append(CatalogueError(str(path), "", None, "file does not exist"))
            continue
        questionnaire, problems = parse_questionnaire(path.read_text(encoding="utf-8"), str(path))
        if problems:
            errors.extend(problems)
            continue
        assert questionnaire is not None
        if questionnaire.slug in seen:
            errors.append(CatalogueError(str(path), "slug", 1, f"duplicate slug {questionnaire.slug!r}: also in {seen[questionnaire.slug]}"))
            continue
        if path.stem != questionnaire.slug:
            errors.append(CatalogueError(str(path), "slug", 1, f"slug {questionnaire.slug!r} must match the file name {path.name!r}"))
            continue
        seen[questionnaire.slug] = str(path)
        found.append(questionnaire)
    return found, errors


def load(root: Path | None = None) -> dict[str, Questionnaire]:
    """Every questionnaire of ``root/questionnaires`` by slug, validated; nothing at all when any file is wrong.

    :raise CatalogueError: the first problem (the rest are in ``check_files``).
    """
    root = root or default_root()
    found, errors = check_files(sorted((root / FOLDER).glob("*.toml")))
    if errors:
        raise errors[0]
    return {q.slug: q for q in found}


@lru_cache(maxsize=1)
def shipped() -> dict[str, Questionnaire]:
    """The shipped questionnaires (read once)."""
    return load()
