// The kiosk in kiosk mode: an on-screen keypad for the ID, a Thai ID-card reader working as a
// keyboard (13 digits then Enter), the check digit verified here (the server checks it again;
// no name is ever looked up or shown), full screen on the first touch, back to the start
// after the idle seconds.
(function () {
  "use strict";
  const body = document.body;
  const form = document.getElementById("kiosk-form");
  const field = document.getElementById("id_customer_ref");
  const status = document.querySelector("[data-testid=id-status]");
  if (!form || !field) return;

  function digits() { return field.value.replace(/\D/g, ""); }

  function pinValid(pin) {
    if (!/^\d{13}$/.test(pin)) return false;
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += Number(pin[i]) * (13 - i);
    return (11 - (sum % 11)) % 10 === Number(pin[12]);
  }

  function insured() {
    const kind = form.querySelector("input[name=customer_kind]:checked");
    return !kind || kind.value === "insured";
  }

  // Says whether the ID typed so far can be sent; true when it can.
  function check(final) {
    const pin = digits();
    status.classList.remove("ok", "bad");
    if (!pin) { status.textContent = ""; return true; }
    if (!insured()) { status.textContent = ""; return true; }
    if (pin.length < 13) {
      if (final) { status.textContent = status.dataset.short; status.classList.add("bad"); return false; }
      status.textContent = "";
      return true;
    }
    const ok = pinValid(pin);
    status.textContent = ok ? status.dataset.ok : status.dataset.bad;
    status.classList.add(ok ? "ok" : "bad");
    return ok;
  }

  // The keypad types the ID, or the mobile number for a message once that field was touched.
  const phoneField = document.getElementById("id_notify_phone");
  let typing = null;
  if (phoneField) {
    phoneField.addEventListener("focus", function () { typing = phoneField; });
    field.addEventListener("focus", function () { typing = null; });
  }
  form.querySelectorAll(".keypad button").forEach(function (button) {
    button.addEventListener("click", function () {
      const key = button.dataset.key;
      if (typing) {
        const typed = typing.value.replace(/\D/g, "");
        if (key === "clear") typing.value = "";
        else if (key === "back") typing.value = typed.slice(0, -1);
        else if (typed.length < 10) typing.value = typed + key;
        return;
      }
      if (key === "clear") field.value = "";
      else if (key === "back") field.value = digits().slice(0, -1);
      else if (digits().length < 13) field.value = digits() + key;
      check(false);
    });
  });

  // A card reader types into the focused field: keep the ID field focused, and read Enter
  // as the end of a card (never as "send the form": a service must be chosen).
  field.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); check(true); }
  });
  field.addEventListener("input", function () { check(false); });
  document.addEventListener("keydown", function (event) {
    const phone = document.getElementById("id_notify_phone");
    if (document.activeElement !== field && document.activeElement !== phone && /^\d$/.test(event.key)) {
      field.focus();
    }
  });
  form.addEventListener("change", function () { check(false); });
  form.addEventListener("submit", function (event) {
    if (!check(true)) event.preventDefault();
  });

  // Full screen on the first touch (a browser allows it only after one).
  document.addEventListener("pointerdown", function () {
    if (!document.fullscreenElement && document.documentElement.requestFullscreen && !navigator.webdriver) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }, { once: true });

  // Back to the start after the idle seconds, if anything was touched or typed.
  const idle = Number(body.dataset.idleSeconds || 45) * 1000;
  let timer = null;
  function touched() {
    clearTimeout(timer);
    timer = setTimeout(function () { window.location.assign(body.dataset.start); }, idle);
  }
  ["pointerdown", "keydown"].forEach(function (name) { document.addEventListener(name, touched); });
  if (form.querySelector(".errors, .error")) touched();
})();
