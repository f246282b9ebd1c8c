"""Evidence of a tandem's learning: the learner of a track adds notes, links and files to its objectives
(what their partner reads before signing off); members and the course's trainers download the files."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.catalogue import Catalogue
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.models import Evidence
from plugin.services import notifications
from plugin.services.launches import Actor
from plugin.services.signoffs import module_of
from plugin.services.tandem_access import access, require_member

EVIDENCE_KINDS = ("note", "link", "file")
MAX_NOTE = 4000
MAX_FILE = 5 * 1024 * 1024
#: file types evidence may have (what people show their mentor: documents, images, slides, sheets)
FILE_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
}


@dataclass(frozen=True)
class NewEvidence:
    kind: str
    text: str = ""
    url: str | None = None
    filename: str | None = None
    content_type: str | None = None
    data: bytes | None = None


def add_evidence(session: Session, actor: Actor, catalogue: Catalogue, tandem_id: int, slug: str, version: int, objective_id: str, new: NewEvidence) -> int:
    """The learner of the objective's track adds evidence (note, link or file within type and size limits)."""
    view = access(session, actor, tandem_id)
    require_member(view)
    module = module_of(session, view, catalogue, slug, version)
    track = next((t for t in module.tracks if any(o.id == objective_id for o in t.objectives)), None)
    if track is None:
        raise NotFound("no such objective")
    if view.domain.learner(track.taught_by) != actor.person_id:
        raise NotAllowed("evidence comes from the learner of the track")
    if new.kind not in EVIDENCE_KINDS:
        raise RuleViolation("choose a note, a link or a file", "kind")
    text = (new.text or "").strip()
    if len(text) > MAX_NOTE:
        raise RuleViolation(f"a note is at most {MAX_NOTE} characters", "text")
    url = None
    if new.kind == "note" and not text:
        raise RuleViolation("write the note", "text")
    if new.kind == "link":
        url = (new.url or "").strip()
        parsed = urlparse(url)
        if parsed.scheme not in ("https", "http") or not parsed.netloc or len(url) > 2000:
            raise RuleViolation("give a web address starting with https://", "url")
    if new.kind == "file":
        if not new.data:
            raise RuleViolation("choose a file", "file")
        if len(new.data) > MAX_FILE:
            raise RuleViolation("a file is at most 5 MB", "file")
        if new.content_type not in FILE_TYPES:
            raise RuleViolation("the file type is not accepted (PDF, image, text or office document)", "file")
    row = Evidence(
        tandem_id=view.id,
        module_slug=module.slug,
        module_version=module.version,
        objective_id=objective_id,
        learner_id=actor.person_id,
        kind=new.kind,
        text=text,
        url=url,
        filename=(new.filename or "evidence")[:200] if new.kind == "file" else None,
        content_type=new.content_type if new.kind == "file" else None,
        size=len(new.data) if new.kind == "file" and new.data else None,
        data=new.data if new.kind == "file" else None,
    )
    session.add(row)
    session.flush()
    notifications.signoff_requested(session, view, module, objective_id, actor.person_id)
    return row.id


def evidence_file(session: Session, actor: Actor, tandem_id: int, evidence_id: int) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of a file the actor may read (members and the course's trainers)."""
    view = access(session, actor, tandem_id)
    row = session.scalar(sa.select(Evidence).where(Evidence.id == evidence_id, Evidence.tandem_id == view.id, Evidence.kind == "file").options(sa.orm.undefer(Evidence.data)))
    if row is None:
        raise NotFound("no such file")
    return row.filename or "evidence", row.content_type or "application/octet-stream", row.data or b""
