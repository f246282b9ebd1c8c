"""StoragePlatform: the harness platform with the platform side of LTI platform storage.

Implements what a platform does for the 1EdTech *LTI Client Side postMessages* specification
(``lti.capabilities``, ``lti.put_data``, ``lti.get_data``) and the OIDC login with platform storage:

- the login initiation carries ``lti_storage_target`` (``_parent``, as Sakai sends, or a named frame
  such as Canvas' ``post_message_forwarding``);
- ``/course/<token>`` is the course page: it embeds the tool in ``iframe#contentframe`` (whose first
  page auto-submits the initiation to the tool, as ``TestPlatform.browser_launch_url`` does) and
  answers the tool frame's postMessages from in-page JavaScript keeping the values in a ``Map``, one
  namespace per sender origin, answering ``event.source`` with ``event.origin`` as targetOrigin.
  With a named target the answering script runs in a hidden same-origin frame of that name
  (``/post_message_forwarding``) instead of the course page itself.

Limits as platforms apply them: 500 keys per origin and 4096 characters per value
(``storage_exhausted``); a missing or non-string key or value is ``bad_request``; an unknown ``lti.*``
subject gets ``unsupported_subject``. ``tamper=True`` answers ``lti.get_data`` for a ``state_`` key with
another value (a platform page holding some other login's state), to test that the tool refuses it.

Every message received is logged in the answering window's ``ltiStorageLog`` (subject, key, origin)
for tests to read with ``page.evaluate``. ``TestPlatform`` itself is unchanged: this subclass only adds
the parameter to the initiations it builds and two routes.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from .platform import TestPlatform

__all__ = ["HANDLER_JS", "StoragePlatform"]

#: the platform's postMessage handler; ``CONFIG`` is replaced by a JSON object {frame, tamper}
HANDLER_JS = """
(function () {
  "use strict";
  var config = CONFIG;
  var store = new Map();
  var MAX_KEYS = 500, MAX_VALUE = 4096;
  window.ltiStorageLog = [];
  function keysOf(origin) {
    var n = 0;
    store.forEach(function (_value, key) { if (key.indexOf(origin + " ") === 0) { n += 1; } });
    return n;
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.subject !== "string" || data.subject.indexOf("lti.") !== 0) { return; }
    if (/\\.response$/.test(data.subject)) { return; }
    window.ltiStorageLog.push({ subject: data.subject, key: data.key, origin: event.origin });
    var reply = { subject: data.subject + ".response", message_id: data.message_id };
    var slot = event.origin + " " + data.key;
    function error(code, message) { reply.error = { code: code, message: message }; }
    if (data.message_id === undefined || data.message_id === null || data.message_id === "") {
      error("bad_request", "message_id is required");
    } else if (data.subject === "lti.capabilities") {
      reply.supported_messages = [
        { subject: "lti.capabilities" },
        { subject: "lti.put_data", frame: config.frame },
        { subject: "lti.get_data", frame: config.frame }
      ];
    } else if (data.subject === "lti.put_data") {
      if (typeof data.key !== "string" || data.key === "") {
        error("bad_request", "a non-empty string key is required");
      } else if (typeof data.value !== "string") {
        error("bad_request", "the value must be a string");
      } else if (data.value.length > MAX_VALUE || (!store.has(slot) && keysOf(event.origin) >= MAX_KEYS)) {
        error("storage_exhausted", "no room for this value");
      } else {
        store.set(slot, data.value);
        reply.key = data.key;
        reply.value = data.value;
      }
    } else if (data.subject === "lti.get_data") {
      if (typeof data.key !== "string" || data.key === "") {
        error("bad_request", "a non-empty string key is required");
      } else if (!store.has(slot)) {
        reply.key = data.key;
        error("bad_request", "no value stored under this key for this origin");
      } else {
        reply.key = data.key;
        reply.value = store.get(slot);
        if (config.tamper && data.key.indexOf("state_") === 0) { reply.value = "state-of-another-login"; }
      }
    } else {
      error("unsupported_subject", "subject " + data.subject + " is not supported");
    }
    event.source.postMessage(reply, event.origin);
  });
})();
"""

FORWARDING_FRAME = "post_message_forwarding"


def _handler_script(frame: str, tamper: bool) -> str:
    config = json.dumps({"frame": frame, "tamper": tamper})
    return "<script>" + HANDLER_JS.replace("CONFIG", config) + "</script>"


class StoragePlatform(TestPlatform):
    """``TestPlatform`` whose browser launches go through a course page that offers platform storage."""

    __test__ = False

    def course_url(
        self, *, storage_target: str = "_parent", answer_in: str | None = None, tamper: bool = False, **options: Any
    ) -> str:
        """A course page embedding a launch (``TestPlatform.launch`` options) that offers platform storage.

        ``answer_in``: the frame that really answers (default ``storage_target``; another value makes the
        login's target a frame the page does not have, so the tool must ask ``lti.capabilities``).
        """
        token = self._storage_launch(storage_target, **options)
        query = urlencode({"target": answer_in or storage_target, "tamper": "1" if tamper else ""})
        return f"{self.url}/course/{token}?{query}"

    def storage_initiation(self, *, storage_target: str = "_parent", **options: Any) -> dict[str, str]:
        """The login initiation parameters (with ``lti_storage_target``) of a new launch."""
        token = self._storage_launch(storage_target, **options)
        with self._lock:
            return dict(self._browser_launches[token])

    def _storage_launch(self, storage_target: str, **options: Any) -> str:
        url = self.browser_launch_url(**options)
        token = url.rsplit("/", 1)[1]
        with self._lock:
            self._browser_launches[token]["lti_storage_target"] = storage_target
        return token

    def _build_app(self) -> Flask:
        app = super()._build_app()
        app.add_url_rule("/course/<token>", "course", self._handle_course, methods=["GET"])
        app.add_url_rule("/" + FORWARDING_FRAME, "forwarding", self._handle_forwarding, methods=["GET"])
        return app

    def _handle_course(self, token: str) -> Response:
        target = request.args.get("target", "_parent")
        tamper = bool(request.args.get("tamper"))
        if target == "_parent":
            helper, script = "", _handler_script("_parent", tamper)
        else:  # the answering script lives in a hidden frame of that name (Canvas' post_message_forwarding)
            query = urlencode({"tamper": "1" if tamper else ""})
            helper = (
                f'<iframe name="{html.escape(target)}" title="Platform storage" hidden '
                f'src="/{FORWARDING_FRAME}?{query}"></iframe>'
            )
            script = ""
        body = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Mentoring 101</title>\n'
            f"{script}</head><body>\n<main><h1>Mentoring 101</h1>\n"
            f'<iframe id="contentframe" name="contentframe" title="Tandem" width="900" height="700" '
            f'src="/initiate/{html.escape(token)}"></iframe>\n{helper}\n</main>\n</body></html>\n'
        )
        return Response(body, 200, content_type="text/html; charset=utf-8")

    def _handle_forwarding(self) -> Response:
        tamper = bool(request.args.get("tamper"))
        body = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Storage</title></head><body>\n'
            f"{_handler_script(FORWARDING_FRAME, tamper)}\n</body></html>\n"
        )
        return Response(body, 200, content_type="text/html; charset=utf-8")
