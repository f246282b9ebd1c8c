// Follow a background job (roster sync, matching): update the progress bar and the status line,
// then show the link to what comes next. Without JavaScript the page offers a Refresh link.
(function () {
  var box = document.querySelector("[data-job-url]");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var next = document.getElementById("job-next");
  var refresh = document.getElementById("job-refresh");
  function poll() {
    fetch(box.getAttribute("data-job-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.total || job.finished) { bar.value = job.percent; } else { bar.removeAttribute("value"); }
        bar.textContent = job.percent + "%";
        if (status.textContent !== job.text) { status.textContent = job.text; }
        if (job.finished) {
          next.querySelector("a").href = job.next;
          next.hidden = false;
          refresh.hidden = true;
        } else {
          window.setTimeout(poll, 500);
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
