// LTI Dynamic Registration: tell the platform the registration is done so it closes its dialog.
(function () {
  var target = window.opener || window.parent;
  if (target && target !== window) {
    target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
