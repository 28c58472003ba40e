// The kiosk's ticket: printed by itself (the kiosk's browser prints silently with
// --kiosk-printing), then the kiosk returns to its start: after printing, or after the idle
// seconds if the printer never answers.
(function () {
  "use strict";
  const body = document.body;
  const back = function () { window.location.assign(body.dataset.start); };
  const idle = Number(body.dataset.idleSeconds || 20) * 1000;
  let timer = setTimeout(back, idle);
  window.addEventListener("afterprint", function () {
    clearTimeout(timer);
    timer = setTimeout(back, 3000);
  });
  window.addEventListener("load", function () {
    if (navigator.webdriver) return; // not under automation: the test reads the page
    window.print();
  });
})();
