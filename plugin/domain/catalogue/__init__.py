"""The two-way module catalogue: parsing and validating module and framework files (TOML).

Pure standard library. Every error names the file, the field (a dotted path) and the line, so an
author can fix a file from the message alone. See ``curricula/README.md`` for the schema. Import from
here; the modules: ``model`` (the values and :class:`Catalogue`), ``checker`` (field checks and where a
field is), ``parse`` (framework and module files, the version lock).
"""

from __future__ import annotations

from plugin.domain.catalogue.model import (
    EVIDENCE_KINDS,
    LANGUAGES,
    REF_RE,
    SLUG_RE,
    TRACKS,
    Area,
    Catalogue,
    CatalogueError,
    Competence,
    CompetenceRef,
    Framework,
    Level,
    Localized,
    MentorFunction,
    Module,
    Objective,
    Side,
    Track,
    parse_ref,
)
from plugin.domain.catalogue.parse import check_versions, digest_of, parse_framework, parse_module

__all__ = [
    "EVIDENCE_KINDS",
    "LANGUAGES",
    "REF_RE",
    "SLUG_RE",
    "TRACKS",
    "Area",
    "Catalogue",
    "CatalogueError",
    "Competence",
    "CompetenceRef",
    "Framework",
    "Level",
    "Localized",
    "MentorFunction",
    "Module",
    "Objective",
    "Side",
    "Track",
    "check_versions",
    "digest_of",
    "parse_framework",
    "parse_module",
    "parse_ref",
]
