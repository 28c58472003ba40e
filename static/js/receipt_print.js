// A receipt just issued: the print dialog opens by itself over its PDF (not under automation).
(function () {
  "use strict";
  const frame = document.getElementById("receipt-pdf");
  if (!frame) return;
  frame.addEventListener("load", function () {
    if (navigator.webdriver) return;
    try {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch (error) {
      /* the Print link remains */
    }
  });
})();
