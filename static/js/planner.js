// The queue planner's run page: while the worker is on it, the page reloads every two seconds
// to show its progress, then its figures.
(function () {
  "use strict";
  if (document.querySelector("[data-planner-pending]")) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
