// Claim recording: show only the details the chosen benefit's rules read (and the child or
// survivor where the benefit names one); "All presented" (Alt+K) ticks every document not
// held by the registry; the slip link follows the ticks.
(function () {
  "use strict";
  const form = document.getElementById("claim-form");
  if (!form) return;
  const benefit = document.getElementById("id_benefit");
  const withDependant = (form.dataset.withDependant || "").split(" ");

  function showDetails() {
    const chosen = benefit.value;
    form.querySelectorAll("fieldset.claim-details").forEach(function (set) {
      set.hidden = set.dataset.benefit !== chosen;
    });
    const dependant = form.querySelector('[data-field="dependant"]');
    if (dependant) dependant.hidden = withDependant.indexOf(chosen) < 0;
  }

  function slipHref() {
    const link = document.getElementById("slip-link");
    if (!link) return;
    const url = new URL(link.href, window.location.href);
    const params = new URLSearchParams();
    params.set("benefit", benefit.value);
    const dependant = document.getElementById("id_dependant");
    if (dependant && dependant.value) params.set("dependant", dependant.value);
    form.querySelectorAll("#checklist input[name=presented]:checked").forEach(function (box) {
      params.append("presented", box.value);
    });
    url.search = params.toString();
    link.href = url.toString();
  }

  benefit.addEventListener("change", showDetails);
  form.addEventListener("change", slipHref);
  document.addEventListener("click", function (event) {
    const button = event.target.closest('[data-action="all-presented"]');
    if (!button) return;
    form.querySelectorAll("#checklist input[name=presented]").forEach(function (box) {
      box.checked = true;
    });
    slipHref();
  });
  document.body.addEventListener("htmx:afterSwap", slipHref);
  showDetails();
})();
