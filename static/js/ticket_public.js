// The ticket on the customer's phone: poll the ticket's small JSON answer every few seconds
// (twice a second once it is next or nearly)
// (the server answers from the office's state cached in Redis) and show the state; once the
// ticket is finished, reload once, so the page offers the rating.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.stateUrl;
  var every = (parseFloat(body.dataset.pollSeconds) || 3) * 1000;
  // Who is about to be called asks twice a second (the call reaches them within one); the
  // rest, further back, less often: the office's load stays small.
  var near = (parseFloat(body.dataset.pollNearSeconds) || 0.5) * 1000;
  var nearAhead = parseInt(body.dataset.nearAhead, 10) || 2;
  var next = every;
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
    next = state.status === "waiting" && state.ahead <= nearAhead ? near : every;
    return true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.status && show(state) === false) return;
        window.setTimeout(poll, next);
      })
      .catch(function () { window.setTimeout(poll, every * 2); });
  }
  var ahead = document.querySelector('[data-field="ahead"]');
  if (ahead && parseInt(ahead.textContent, 10) <= nearAhead) next = near;
  window.setTimeout(poll, next);
})();
