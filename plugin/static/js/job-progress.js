// Follow a background job (roster sync, matching): update the progress bar and the status line; once the
// job is done, announce where the page goes and go there by itself (replacing the progress page in the
// history, so Back does not land on a finished job). A failed job stays, with its error and the way back.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) and offers a Refresh link.
(function () {
  var box = document.querySelector("[data-job-url]");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var next = document.getElementById("job-next");
  var refresh = document.getElementById("job-refresh");
  var CONTINUE_AFTER_MS = 1200;
  function say(text) {
    if (status.textContent !== text) { status.textContent = text; }
  }
  function finish(job) {
    var link = next.querySelector("a");
    link.href = job.next;
    link.textContent = job.next_label;
    next.hidden = false;
    refresh.hidden = true;
    if (job.status === "done") {
      say(job.continuing ? job.text + " " + job.continuing : job.text);
      window.setTimeout(function () { window.location.replace(job.next); }, CONTINUE_AFTER_MS);
    } else {
      status.className = "notice notice-error";
      say(job.text);
    }
  }
  function poll() {
    fetch(box.getAttribute("data-job-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (job) {
        if (job.total || job.finished) { bar.value = job.percent; } else { bar.removeAttribute("value"); }
        bar.textContent = job.percent + "%";
        if (job.finished) {
          finish(job);
        } else {
          say(job.text);
          window.setTimeout(poll, 500);
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
