// Submit the deep-linking response form at once; the visible button is the fallback without script.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("auto-submit");
  if (form) { form.submit(); }
});
