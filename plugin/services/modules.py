"""The catalogue an organisation sees: the shipped modules plus its own, uploaded and published by trainers.

Whatever refers to a module stores its slug and version, so publishing a new version never
changes what was assigned before: every version stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.catalogue import Catalogue, CatalogueError, Module, parse_module
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.models import OrgModule
from plugin.services.launches import Actor

DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"
#: slugs that would collide with the catalogue's own pages
RESERVED_SLUGS = frozenset({"upload", "manage"})


@dataclass(frozen=True)
class Entry:
    """A module as an organisation sees it, with where it comes from."""

    module: Module
    status: str  # published (shipped modules are always published), draft or withdrawn
    shipped: bool
    draft_id: int | None = None


@dataclass(frozen=True)
class UploadReport:
    """What an upload did: the module (as a draft), or the one error that stopped it."""

    module: Module | None
    error: CatalogueError | None
    draft_id: int | None = None
    unchanged: bool = False


def _require_trainer(actor: Actor) -> None:
    if actor.role not in (Role.TRAINER, Role.ORG_ADMIN):
        raise NotAllowed("only trainers and organisation administrators manage modules")


@lru_cache(maxsize=512)
def _parse_cached(digest: str, source: str, catalogue: Catalogue) -> Module:
    # Stored sources were valid when uploaded; parsing them again is only a cache miss away.
    return parse_module(source, f"uploaded {digest[:8]}", catalogue.frameworks)


def _parse_row(row: OrgModule, catalogue: Catalogue) -> Module:
    return _parse_cached(row.digest, row.source, catalogue)


def upload(session: Session, actor: Actor, catalogue: Catalogue, filename: str, text: str) -> UploadReport:
    """Check an uploaded module file and keep it as a draft of the actor's organisation.

    Nothing is stored when the file has an error. The slug may not be a shipped module's; a new
    version must be higher than every earlier one, and a version's content never changes.

    Raises:
        NotAllowed: the actor is not a trainer or organisation administrator.
    """
    _require_trainer(actor)
    try:
        module = parse_module(text, filename, catalogue.frameworks)
    except CatalogueError as exc:
        return UploadReport(None, exc)
    if module.slug in RESERVED_SLUGS:
        return UploadReport(None, CatalogueError(filename, "slug", 1, f"slug {module.slug!r} is reserved by Tandem; choose another slug"))
    if catalogue.get(module.slug) is not None:
        return UploadReport(None, CatalogueError(filename, "slug", 1, f"duplicate slug {module.slug!r}: a shipped module has it; choose another slug"))
    rows = session.scalars(
        sa.select(OrgModule).where(OrgModule.organisation_id == actor.organisation_id, OrgModule.slug == module.slug)
    ).all()
    same = next((r for r in rows if r.version == module.version), None)
    if same is not None:
        if same.digest == module.digest:
            return UploadReport(module, None, same.id, unchanged=True)
        return UploadReport(None, CatalogueError(filename, "version", 2, f"content changed but version {module.version} did not: raise the version"))
    higher = [r.version for r in rows if r.version > module.version]
    if higher:
        return UploadReport(None, CatalogueError(filename, "version", 2, f"version {module.version} is lower than version {max(higher)} already uploaded"))
    row = OrgModule(
        organisation_id=actor.organisation_id,
        slug=module.slug,
        version=module.version,
        source=text,
        digest=module.digest,
        status=DRAFT,
        uploaded_by=actor.person_id,
    )
    session.add(row)
    session.flush()
    return UploadReport(module, None, row.id)


def _own_row(session: Session, actor: Actor, draft_id: int) -> OrgModule:
    row = session.get(OrgModule, draft_id)
    if row is None or row.organisation_id != actor.organisation_id:
        raise NotFound("no such module of your organisation")
    return row


def publish(session: Session, actor: Actor, draft_id: int) -> None:
    """Make a draft visible to the whole organisation (and only to it)."""
    _require_trainer(actor)
    row = _own_row(session, actor, draft_id)
    if row.status == WITHDRAWN:
        raise RuleViolation("a withdrawn module version cannot be published again; upload a new version", "status")
    row.status = PUBLISHED
    row.published_at = datetime.now(timezone.utc)
    session.flush()


def withdraw(session: Session, actor: Actor, draft_id: int) -> None:
    """Stop offering a version; what already refers to it keeps its slug and version."""
    _require_trainer(actor)
    row = _own_row(session, actor, draft_id)
    row.status = WITHDRAWN
    session.flush()


def entries(session: Session, actor: Actor, catalogue: Catalogue, include_drafts: bool = False) -> list[Entry]:
    """The latest version of every module the actor's organisation offers (drafts for trainers on request)."""
    found: dict[str, Entry] = {m.slug: Entry(m, PUBLISHED, True) for m in catalogue.latest()}
    statuses = [PUBLISHED, DRAFT] if include_drafts and actor.role in (Role.TRAINER, Role.ORG_ADMIN) else [PUBLISHED]
    rows = session.scalars(
        sa.select(OrgModule)
        .where(OrgModule.organisation_id == actor.organisation_id, OrgModule.status.in_(statuses))
        .order_by(OrgModule.slug, OrgModule.version)
    ).all()
    for row in rows:
        module = _parse_row(row, catalogue)
        current = found.get(row.slug)
        if current is None or current.module.version <= row.version:
            found[row.slug] = Entry(module, row.status, False, row.id)
    return sorted(found.values(), key=lambda e: e.module.title.en)


def find(
    session: Session, organisation_id: int, catalogue: Catalogue, slug: str, version: int | None = None, *, allow_draft: bool = False
) -> Entry:
    """One module version an organisation may see (the latest published when ``version`` is None).

    Raises:
        NotFound: no such module or version for this organisation, it was withdrawn, or it is a
            draft and ``allow_draft`` is false.
    """
    shipped = catalogue.get(slug, version)
    if shipped is not None:
        return Entry(shipped, PUBLISHED, True)
    query = sa.select(OrgModule).where(OrgModule.organisation_id == organisation_id, OrgModule.slug == slug)
    if version is not None:
        query = query.where(OrgModule.version == version)
    else:
        query = query.where(OrgModule.status == PUBLISHED).order_by(OrgModule.version.desc()).limit(1)
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"module {slug} {'v' + str(version) if version else ''} does not exist")
    if row.status == WITHDRAWN:
        raise NotFound(f"module {slug} v{row.version} was withdrawn")
    if row.status == DRAFT and not allow_draft:
        raise NotFound(f"module {slug} v{row.version} is not published")
    return Entry(_parse_row(row, catalogue), row.status, False, row.id)


def drafts(session: Session, actor: Actor, catalogue: Catalogue) -> list[Entry]:
    """Every uploaded version of the actor's organisation, newest first (trainers' management list)."""
    _require_trainer(actor)
    rows = session.scalars(
        sa.select(OrgModule).where(OrgModule.organisation_id == actor.organisation_id).order_by(OrgModule.created_at.desc(), OrgModule.id.desc())
    ).all()
    return [Entry(_parse_row(r, catalogue), r.status, False, r.id) for r in rows]


def source_of(session: Session, actor: Actor, catalogue: Catalogue, slug: str, version: int) -> str:
    """The module file of a version, for export (drafts only for trainers).

    Raises:
        NotFound: not a module this organisation can see.
    """
    drafts_allowed = actor.role in (Role.TRAINER, Role.ORG_ADMIN)
    entry = find(session, actor.organisation_id, catalogue, slug, version, allow_draft=drafts_allowed)
    return entry.module.source
