"""The list of tandems (with health flags for trainers) and a tandem's hub."""

from __future__ import annotations

from flask import Response

from plugin.extensions import db
from plugin.services import health, plans, sessions
from plugin.web.auth import current_actor
from plugin.web.tandem.blueprint import bp, catalogue, is_trainer, item_label, render_page, today


@bp.route("/tandems")
def index() -> Response:
    actor = current_actor()
    rows = health.tandem_list(db.session, actor, today())
    db.session.commit()
    return render_page("tandem/list.html", rows=rows, trainer=is_trainer(actor.role), me=actor.person_id)


@bp.route("/tandems/<int:tandem_id>")
def hub(tandem_id: int) -> Response:
    actor = current_actor()
    page = plans.page(db.session, actor, catalogue(), tandem_id)
    _view, logged = sessions.list_sessions(db.session, actor, tandem_id)
    flags = health.flags_for(db.session, actor, tandem_id, today())
    db.session.commit()
    upcoming = [i for i in page.plan.by_date if i.done_on is None and i.due >= today()][:3] if page.plan else []
    overdue = page.plan.overdue(today()) if page.plan else ()
    return render_page("tandem/hub.html", view=page.view, plan=page.plan, upcoming=upcoming, overdue=overdue, recent=logged[:3], flags=flags, item_label=item_label)
