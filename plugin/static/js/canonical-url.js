// The launch page is the answer to a POST: give it its own URL so a reload GETs the page
// instead of re-posting a launch that can be used only once.
(function () {
  var url = document.body.getAttribute("data-canonical-url");
  if (url && window.history && window.history.replaceState && window.location.pathname !== url) {
    window.history.replaceState(null, "", url);
  }
})();
