"""Loading the shipped catalogue from ``curricula/`` and checking module files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from plugin.domain.catalogue import Catalogue, CatalogueError, Framework, Module, check_versions, parse_framework, parse_module

#: records slug -> version -> digest of every shipped module version, so a change without a new version is caught
LOCK_FILE = "catalogue.lock.json"


def default_root() -> Path:
    """The ``curricula/`` folder shipped with Tandem."""
    from importlib.resources import files

    return Path(str(files("curricula")))


def load_frameworks(root: Path) -> dict[str, Framework]:
    """Every framework in ``root/frameworks``.

    Raises:
        CatalogueError: a framework file is invalid.
    """
    frameworks = {}
    for path in sorted((root / "frameworks").glob("*.toml")):
        framework = parse_framework(path.read_text(encoding="utf-8"), str(path))
        frameworks[framework.id] = framework
    return frameworks


def read_lock(root: Path) -> dict[str, dict[str, str]]:
    path = root / LOCK_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def check_files(paths: Iterable[Path], frameworks: dict[str, Framework], lock: dict[str, dict[str, str]] | None = None) -> tuple[list[Module], list[CatalogueError]]:
    """Parse module files; every error found (one per file at most, plus duplicates and versions)."""
    modules: list[Module] = []
    errors: list[CatalogueError] = []
    seen: dict[str, str] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            if not path.exists():
                raise CatalogueError(str(path), "", None, "file does not exist")
            module = parse_module(text, str(path), frameworks)
        except CatalogueError as exc:
            errors.append(exc)
            continue
        if module.slug in seen:
            errors.append(CatalogueError(str(path), "slug", 1, f"duplicate slug {module.slug!r}: also in {seen[module.slug]}"))
            continue
        if path.stem != module.slug:
            errors.append(CatalogueError(str(path), "slug", 1, f"slug {module.slug!r} must match the file name {path.name!r}"))
            continue
        seen[module.slug] = str(path)
        modules.append(module)
    if lock is not None:
        errors.extend(check_versions(modules, lock, seen))
    return modules, errors


def load_catalogue(root: Path | None = None) -> Catalogue:
    """The shipped catalogue, validated.

    Raises:
        CatalogueError: the first problem (Tandem refuses to start on an invalid catalogue).
    """
    root = root or default_root()
    frameworks = load_frameworks(root)
    modules, errors = check_files(sorted((root / "modules").glob("*.toml")), frameworks, read_lock(root))
    if errors:
        raise errors[0]
    return Catalogue(frameworks=frameworks, modules={(m.slug, m.version): m for m in modules})


def write_lock(root: Path, modules: Iterable[Module]) -> None:
    """Record the digest of every module version (kept: earlier versions stay recorded)."""
    lock = read_lock(root)
    for module in modules:
        lock.setdefault(module.slug, {})[str(module.version)] = module.digest
    (root / LOCK_FILE).write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")
