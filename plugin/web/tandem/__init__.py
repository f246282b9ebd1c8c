"""A tandem's year: the list of tandems (with health flags for trainers), the tandem's hub, its agreement,
plan and session log; the personal calendar feed and data export; the organisation's long-term plan.

Every tandem page but the agreement answers 303 to the agreement until both members signed it. One module
per page group; importing them registers their routes on ``bp`` (endpoints ``tandem.*``).
"""

from plugin.web.tandem import agreement, hub, org_plan, personal, plan, session_log  # noqa: F401 - routes
from plugin.web.tandem.blueprint import bp, flag_text, item_label, module_title, person_name

__all__ = ["bp", "flag_text", "item_label", "module_title", "person_name"]
