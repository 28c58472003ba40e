// The display above a counter: the number it serves, asked every second from the office's
// state (cached on the server, the same the customers' phones read).
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.stateUrl;
  var every = (parseFloat(body.dataset.pollSeconds) || 1) * 1000;
  var field = document.querySelector('[data-field="serving"]');
  if (!url || !field) return;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403) { window.location.reload(); return null; } // revoked
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state) field.textContent = state.serving || "—";
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 3); });
  }
  window.setTimeout(poll, every);
})();
