// The page of a report being generated on the worker: ask every two seconds whether the
// PDF is ready, and reload the page when it is (or when it failed), so the download link
// or the reason appears. Without JavaScript the page has a link to check again.
(function () {
  "use strict";
  var box = document.getElementById("report-status");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.status !== "queued") { window.location.reload(); }
        else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
