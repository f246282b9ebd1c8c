"""Plain-language explanations of rejected launches, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

START_AGAIN = _l("Go back to your course and open Tandem again.")
ASK_ADMIN = _l("Ask your LMS administrator to check Tandem's registration.")

#: reason code -> (what happened, what to do)
REASONS = {
    "missing_login_param": (_l("The LMS started the login without the information Tandem needs."), ASK_ADMIN),
    "unknown_registration": (_l("This LMS is not registered with Tandem."), ASK_ADMIN),
    "unknown_deployment": (_l("This installation of Tandem in your LMS is not registered."), ASK_ADMIN),
    "missing_deployment": (_l("The LMS did not say which installation of Tandem it launched."), ASK_ADMIN),
    "bad_target_link_uri": (_l("The LMS asked to open a page that is not part of Tandem."), ASK_ADMIN),
    "missing_state": (_l("The launch arrived without its security check."), START_AGAIN),
    "missing_id_token": (_l("The launch arrived without its signed message."), START_AGAIN),
    "state_unknown": (_l("This launch has expired or was already used."), START_AGAIN),
    "cookies_blocked": (
        _l("Your browser blocked the cookie Tandem needs inside the course page."),
        _l("Open Tandem in a new window to continue."),
    ),
    "storage_mismatch": (_l("Your course page holds the sign-in of another launch, not this one."), START_AGAIN),
    "storage_forged": (_l("The sign-in confirmation did not come from Tandem's own page."), START_AGAIN),
    "bad_token": (_l("The launch message from your LMS could not be read."), START_AGAIN),
    "bad_alg": (_l("The launch message was not signed the way LTI 1.3 requires."), ASK_ADMIN),
    "no_kid": (_l("The launch message does not say which key signed it."), ASK_ADMIN),
    "unknown_kid": (_l("The launch message was signed with a key your LMS does not publish."), ASK_ADMIN),
    "jwks_unavailable": (_l("Tandem could not fetch your LMS's public keys."), _l("Try again in a minute; if it persists, ask your LMS administrator.")),
    "bad_signature": (_l("The launch message's signature is not valid."), ASK_ADMIN),
    "expired": (_l("The launch message has expired."), START_AGAIN),
    "bad_timestamps": (_l("The launch message has impossible timestamps; a clock may be wrong."), ASK_ADMIN),
    "missing_claim": (_l("The launch message lacks required information."), ASK_ADMIN),
    "wrong_issuer": (_l("The launch message comes from another LMS than the login."), START_AGAIN),
    "bad_audience": (_l("The launch message was meant for another tool."), ASK_ADMIN),
    "bad_azp": (_l("The launch message was meant for another tool."), ASK_ADMIN),
    "nonce_mismatch": (_l("The launch message does not belong to this login."), START_AGAIN),
    "missing_message_type": (_l("The launch message does not say what kind of launch it is."), ASK_ADMIN),
    "bad_message_type": (_l("Tandem does not support this kind of launch."), ASK_ADMIN),
    "bad_version": (_l("The launch message is not LTI 1.3."), ASK_ADMIN),
    "missing_sub": (_l("The launch message does not say who you are."), ASK_ADMIN),
    "missing_roles": (_l("The launch message does not include your roles."), ASK_ADMIN),
    "missing_resource_link": (_l("The launch message does not say which activity was opened."), ASK_ADMIN),
    "bad_deep_linking_settings": (_l("The request to add content lacks the settings Tandem needs."), ASK_ADMIN),
    "bad_message": (_l("The launch message is incomplete."), ASK_ADMIN),
    "target_link_uri_mismatch": (_l("The launch message points to another page than the login."), START_AGAIN),
    "session_expired": (_l("Your Tandem session has ended."), START_AGAIN),
    "registration_failed": (_l("Tandem could not register with your LMS."), _l("Check the message below, then start the registration again from your LMS.")),
}


def explain(reason: str) -> tuple[str, str]:
    """(what happened, what to do) for a reason code."""
    problem, action = REASONS.get(reason, (_l("The launch could not be completed."), START_AGAIN))
    return str(problem), str(action)
