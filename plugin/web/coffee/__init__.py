"""Virtual coffee roulette: the pages (one blueprint, ``coffee.*``)."""

from __future__ import annotations

from plugin.web.coffee import pages  # noqa: F401 (the page module registers its routes)
from plugin.web.coffee.common import bp

__all__ = ["bp"]
