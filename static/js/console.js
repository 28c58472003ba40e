// Counter console shortcuts: one key per action (N call next, S start, R recall,
// X no-show, F finish, T transfer, O open the case), ignored while typing in a field.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    const button = document.querySelector('#console button[data-key="' + event.key.toLowerCase() + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
  // The console refreshes itself every 10 s (hx-trigger), but not while its tab is hidden.
  document.addEventListener("htmx:confirm", function (event) {
    if (event.target.id === "console" && document.visibilityState !== "visible") event.preventDefault();
  });
})();
