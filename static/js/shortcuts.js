// Keyboard-first screens: Alt+<letter> presses the button or link whose accesskey is that
// letter (Alt+S saves a form, Alt+N registers the next employee), the same in every browser.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || !/^Key[A-Z]$/.test(event.code)) return;
    const target = document.querySelector('[accesskey="' + event.code.slice(3).toLowerCase() + '"]');
    if (!target) return;
    event.preventDefault();
    target.click();
  });
  // A button marked data-print prints the page (the kiosk's ticket, the documents slip).
  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
  });
})();
