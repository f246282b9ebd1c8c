"""A dated appointment that a capability puts in a person's calendar feed (a coffee, an event, a group
session, a circle meeting); the web layer words it in the feed's language from ``kind``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: the kinds the feed knows how to word
KINDS = ("coffee", "event", "group_session", "circle_meeting")


@dataclass(frozen=True)
class TimedEntry:
    #: stable across feed reads, unique per appointment (e.g. ``coffee-12-3@tandem``)
    uid: str
    kind: str
    #: timezone-aware
    start: datetime
    end: datetime
    #: the appointment's own name (an event's or group's title), or the other person's name for a coffee
    title: str
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown calendar entry kind {self.kind!r}")
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("calendar entries need timezone-aware times")
