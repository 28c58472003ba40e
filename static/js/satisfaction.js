// The satisfaction tablet at a counter: asks every few seconds whether the counter has just
// finished a ticket to rate, and shows its form (a reload) when that changes (the next
// customer called, or the time to rate over: back to waiting); thanked, back to waiting.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.stateUrl;
  var every = (parseFloat(body.dataset.pollSeconds) || 2) * 1000;
  var shown = body.dataset.ticket || "";
  if (!url) return;
  if (body.dataset.thanks) { // thanked: back to waiting after a few seconds
    window.setTimeout(function () { window.location.assign(body.dataset.start); }, 5000);
    return;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state && state.ticket !== shown) {
          window.location.assign(body.dataset.start);
          return;
        }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 3); });
  }
  window.setTimeout(poll, every);
})();
