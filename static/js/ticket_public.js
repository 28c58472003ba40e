// The ticket on the customer's phone: poll the ticket's small JSON answer every few seconds
// (the server answers from the office's state cached in Redis) and show the state; once the
// ticket is finished, reload once, so the page offers the rating.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.stateUrl;
  var every = (parseInt(body.dataset.pollSeconds, 10) || 2) * 1000;
  var shown = body.dataset.status;
  if (!url || shown === "done") return;

  function show(state) {
    var group = state.status === "serving" ? "called" : state.status;
    document.querySelectorAll("[data-state]").forEach(function (el) {
      el.hidden = el.dataset.state !== group;
    });
    ["ahead", "wait", "counter"].forEach(function (name) {
      if (state[name] === undefined || state[name] === null) return;
      document.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
        el.textContent = state[name];
      });
    });
    if (state.status === "done") {
      window.location.reload();
      return false;
    }
    if (state.status !== "waiting") {
      var form = document.querySelector(".give-up");
      if (form) form.hidden = true;
      if (shown === "waiting" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
    }
    shown = state.status;
    return true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.status && show(state) === false) return;
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 2); });
  }
  window.setTimeout(poll, every);
})();
