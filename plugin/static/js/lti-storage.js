// LTI platform storage (1EdTech LTI Client Side postMessages: lti.capabilities, lti.put_data,
// lti.get_data), for browsers that refuse Tandem's cookies inside the course page's iframe.
// Login page: store state_<state> and nonce_<nonce> in the platform, then go to its authorisation
// endpoint. Launch page: ask the platform for both and post the answers back to Tandem, which
// compares them with its own record. lti.put_data and lti.get_data go only to the platform's OIDC
// origin (the state and nonce reach no other page). lti.capabilities carries nothing and is sent with
// targetOrigin "*", its answer taken from the window asked whatever its origin, as 1EdTech's reference
// library does: the course page that answers it may be on another origin than the OIDC endpoint
// (Canvas: the course's own host, the forwarding frame on the OIDC host).
(function () {
  "use strict";
  var el = document.getElementById("lti-storage");
  if (!el) { return; }
  var data = el.dataset;
  var origin = data.platformOrigin;
  var counter = 0;

  function platformWindow() {
    if (window.parent && window.parent !== window) { return window.parent; }
    return window.opener || null;
  }

  function frameNamed(name) {
    var host = platformWindow();
    if (!host || !name) { return null; }
    if (name === "_parent") { return host; }
    try { return host.frames[name] || null; } catch (e) { return null; }
  }

  function newId() {
    counter += 1;
    var random = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : String(Math.random()).slice(2);
    return "tandem-" + random + "-" + counter;
  }

  // Send one message; resolve with the platform's response object, or null after `timeout` ms.
  // `anyOrigin` (lti.capabilities only): targetOrigin "*", the answer accepted from `frame` itself whatever its origin.
  function ask(frame, message, timeout, anyOrigin) {
    return new Promise(function (resolve) {
      if (!frame) { resolve(null); return; }
      message.message_id = newId();
      var timer = null;
      function listen(event) {
        var answer = event.data;
        var from = anyOrigin ? event.source === frame : event.origin === origin;
        if (!from || !answer || typeof answer !== "object") { return; }
        if (answer.subject !== message.subject + ".response" || answer.message_id !== message.message_id) { return; }
        window.removeEventListener("message", listen);
        window.clearTimeout(timer);
        resolve(answer);
      }
      window.addEventListener("message", listen);
      timer = window.setTimeout(function () {
        window.removeEventListener("message", listen);
        resolve(null);
      }, timeout);
      try {
        frame.postMessage(message, anyOrigin ? "*" : origin);
      } catch (e) {
        window.removeEventListener("message", listen);
        window.clearTimeout(timer);
        resolve(null);
      }
    });
  }

  // The frame that handles `subject`: the login's lti_storage_target when the platform's window has
  // it; else the frame that lti.capabilities (asked of the platform's window) names, or none.
  function storageFrame(subject) {
    var target = frameNamed(data.target);
    if (target) { return Promise.resolve(target); }
    return ask(platformWindow(), { subject: "lti.capabilities" }, 1000, true).then(function (answer) {
      if (!answer || !Array.isArray(answer.supported_messages)) { return null; }
      var found = null;
      answer.supported_messages.forEach(function (entry) {
        if (entry && entry.subject === subject) { found = entry; }
      });
      return found ? frameNamed(found.frame || "_parent") : null;
    });
  }

  function login() {
    var go = function () { window.location.replace(data.authUrl); };
    storageFrame("lti.put_data").then(function (frame) {
      if (!frame) { return null; }
      return Promise.all([
        ask(frame, { subject: "lti.put_data", key: data.stateKey, value: data.state }, 2000),
        ask(frame, { subject: "lti.put_data", key: data.nonceKey, value: data.nonce }, 2000)
      ]);
    }).then(go, go);  // stored or not: the state cookie may still work
  }

  function launch() {
    var form = document.getElementById("lti-storage-form");
    var fail = function (code) {
      document.getElementById("lti-storage-error").value = code;
      form.submit();
    };
    storageFrame("lti.get_data").then(function (frame) {
      if (!frame) { fail("unsupported_subject"); return; }
      return Promise.all([
        ask(frame, { subject: "lti.get_data", key: data.stateKey }, 3000),
        ask(frame, { subject: "lti.get_data", key: data.nonceKey }, 3000)
      ]).then(function (answers) {
        for (var i = 0; i < answers.length; i += 1) {
          var answer = answers[i];
          if (!answer) { fail("timeout"); return; }
          if (answer.error) { fail(String(answer.error.code || "error")); return; }
          if (typeof answer.value !== "string") { fail("not_found"); return; }
        }
        document.getElementById("lti-storage-state").value = answers[0].value;
        document.getElementById("lti-storage-nonce").value = answers[1].value;
        form.submit();
      });
    }).catch(function () { fail("error"); });
  }

  if (data.mode === "login") { login(); } else if (data.mode === "launch") { launch(); }
})();
