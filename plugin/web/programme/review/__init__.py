"""Matching and the trainer's review of its proposal: the page (paged, filtered), the edits (remove, swap,
add: one outcome message each, then back to the page the trainer was on) and publishing as a job.
Importing the package registers its routes on the programme blueprint."""

from plugin.web.programme.review import edits, pages, publish  # noqa: F401 - routes
