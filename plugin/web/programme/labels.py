"""The words of the programme pages: modes, sides, reasons, refusals, job messages, field errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugin.domain.catalogue import Side

MODES = {"trainer": _l("Trainer-run: Tandem proposes, you review and publish"), "choice": _l("Participants choose from suggestions; the other side accepts"), "manual": _l("Manual: you pair people yourself")}
CADENCES = {"weekly": _l("Weekly"), "fortnightly": _l("Every two weeks"), "monthly": _l("Monthly")}
SIDES = {Side.DIGITAL_MENTOR.value: _l("Digital mentor"), Side.SENIOR_EXPERT.value: _l("Senior expert")}
SOURCES = {"launch": _l("Opened Tandem"), "nrps": _l("Course roster"), "csv": _l("CSV import")}
REASONS = {
    "no_capacity": _l("Takes no partner this round (capacity 0)."),
    "no_partners": _l("Nobody on the other side takes partners."),
    "no_shared_language": _l("No partner shares a language."),
    "excluded_by_rules": _l("Vetoes and programme rules exclude every partner who shares a language."),
    "no_wants": _l("Wants to learn nothing the other side teaches."),
    "no_offers": _l("Offers nothing their side teaches."),
    "nothing_wanted_offered": _l("No eligible partner offers what they want to learn."),
    "nothing_offered_wanted": _l("No eligible partner wants what they offer."),
    "one_sided_only": _l("Eligible partners would only teach them or only learn from them, never both."),
    "partners_taken": _l("Every compatible partner is taken by pairs that add more to the total."),
    "no_profile": _l("Has not filled in a profile and needs map yet."),
    "removed_by_trainer": _l("Taken out of a pair by the trainer."),
    "not_paired_yet": _l("Not paired yet."),
}
REFUSALS = {
    "veto": _l("One of the two asked not to be paired with the other."),
    "earlier_pair": _l("The two were partners before, and the programme excludes earlier partners."),
    "reporting_line": _l("The two are in one reporting line, and the programme forbids that."),
    "no_shared_language": _l("The two share no language."),
    "capacity": _l("This would give someone more partners than they take."),
    "side": _l("A tandem pairs a digital mentor with a senior expert who both filled in their profile."),
    "nothing_to_learn": _l("In this pair at least one of the two would learn nothing from the other."),
    "duplicate": _l("This pair is already in the proposal."),
    "same_person": _l("These two pairs share a person; swapping changes nothing."),
    "duplicate_request": _l("You two were paired before in this programme."),
}
JOB_MESSAGES = {
    "fetching": _l("Fetching the course roster: %(members)s people so far (page %(pages)s)."),
    "synced": _l("Roster synchronised: %(members)s people, %(participants)s participants, %(added)s new to Tandem."),
    "unavailable": _l("The LMS did not answer with the roster. Nothing was changed; try again later or import a CSV file."),
    "loading": _l("Reading the profiles…"),
    "scoring": _l("Scoring every possible pair…"),
    "solving": _l("Finding the best pairs for the whole group…"),
    "certifying": _l("Certifying optimality: checking that no other matching scores higher…"),
    "explaining": _l("Explaining each pair…"),
    "writing": _l("Writing the proposal…"),
    "matched": _l("Matching finished: %(pairs)s pairs proposed, %(unmatched)s people without a partner."),
    "checking": _l("Checking every pair against the rules again, then creating the tandems…"),
    "published": _l("Published: %(count)s tandems can now see their partner."),
    "publish_refused": _l("Nothing was published: a pair no longer meets the rules (a profile or a veto changed meanwhile). Go back to the review and publish again, or run matching again."),
    "publish_gone": _l("Nothing was published: this proposal was already published or replaced by a new matching run."),
    "error": _l("The job stopped because of an error on our side. Nothing was changed; please try again."),
}
FIELDS = {
    "side": _l("Choose your side: digital mentor or senior expert."),
    "languages": _l("Choose at least one language from the list."),
    "capacity": _l("Choose how many partners you can take."),
    "timezone": _l("Choose a time zone from the list."),
    "cadence": _l("Choose how often you want to meet."),
    "goals": _l("Your goals are too long."),
    "wishes": _l("Name at most three people of this programme you would like as partner."),
    "vetoes": _l("Choose people of this programme, and nobody you also wish for."),
    "manager": _l("Choose your manager from the list (not yourself)."),
    "needs": _l("Check the levels: the level you want must be above your level today."),
}
