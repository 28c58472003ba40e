// The employer's account panel: the amount received follows the months ticked (the server
// checks it against every month's contributions and surcharge anyway).
(function () {
  "use strict";
  document.querySelectorAll("form.months-pay").forEach(function (form) {
    var amount = form.querySelector("input[name=amount]");
    if (!amount) return;
    function recompute() {
      var cents = 0;
      form.querySelectorAll("input[name=months]:checked").forEach(function (box) {
        cents += Math.round(parseFloat(box.dataset.total || "0") * 100);
      });
      amount.value = (cents / 100).toFixed(2);
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "months") recompute();
    });
  });
})();
