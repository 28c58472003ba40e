// The counter's keyed grid: Enter moves to the next line (a new one is added at the end),
// names come from the registry as an ID is typed, and the totals, the amount due and the
// amount received follow each wage. The server checks everything again when submitted;
// these figures use the same rules (integer satang, half-up to whole baht per person).
(function () {
  "use strict";
  const form = document.getElementById("counter-form");
  if (!form) return;
  const body = document.getElementById("grid-body");
  const amount = document.getElementById("id_amount");
  let amountTouched = false;
  amount.addEventListener("input", function () { amountTouched = true; });

  function hundredths(text) { // "5.00" -> 500
    if (!text) return null;
    const [whole, frac = ""] = String(text).split(".");
    return parseInt(whole, 10) * 100 + parseInt((frac + "00").slice(0, 2), 10);
  }
  function satang(text) {
    const cleaned = String(text || "").replace(/[,\s]/g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
    return hundredths(cleaned);
  }
  function money(value) {
    const baht = Math.floor(value / 100), st = value % 100;
    return baht.toLocaleString("en-US") + "." + String(st).padStart(2, "0");
  }
  const rate = {
    employee: hundredths(form.dataset.employeeRate),
    employer: hundredths(form.dataset.employerRate),
    floor: satang(form.dataset.floor),
    ceiling: satang(form.dataset.ceiling),
    surchargeRate: hundredths(form.dataset.surchargeRate),
    surchargeMonths: parseInt(form.dataset.surchargeMonths || "0", 10),
  };
  function share(base, bp) { // whole baht, half-up, in satang
    return Math.floor((base * bp + 500000) / 1000000) * 100;
  }

  function recompute(updateAmount) {
    if (rate.employee === null) return;
    let count = 0, wages = 0, employee = 0, employer = 0;
    body.querySelectorAll("tr.grid-row").forEach(function (row) {
      const id = row.querySelector("input.nid").value.trim();
      const wage = satang(row.querySelector("input.wage").value);
      const cells = [row.querySelector(".share-employee"), row.querySelector(".share-employer")];
      if (!id || wage === null) { cells.forEach(function (c) { c.textContent = ""; }); return; }
      const base = Math.min(Math.max(wage, rate.floor), rate.ceiling);
      const mine = share(base, rate.employee), theirs = share(base, rate.employer);
      cells[0].textContent = money(mine);
      cells[1].textContent = money(theirs);
      count += 1; wages += wage; employee += mine; employer += theirs;
    });
    const contributions = employee + employer;
    const surcharge = rate.surchargeRate
      ? Math.floor((contributions * rate.surchargeRate * rate.surchargeMonths + 5000) / 10000) : 0;
    document.getElementById("total-count").textContent = count;
    document.getElementById("total-wages").textContent = money(wages);
    document.getElementById("total-employee").textContent = money(employee);
    document.getElementById("total-employer").textContent = money(employer);
    document.getElementById("due-contributions").textContent = money(contributions);
    document.getElementById("due-surcharge").textContent = money(surcharge);
    document.getElementById("due-total").textContent = money(contributions + surcharge);
    if (updateAmount && !amountTouched) amount.value = ((contributions + surcharge) / 100).toFixed(2);
  }

  function addRow() {
    const rows = body.querySelectorAll("tr.grid-row");
    const last = rows[rows.length - 1];
    const row = last.cloneNode(true);
    row.classList.remove("invalid");
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; input.removeAttribute("autofocus"); input.removeAttribute("aria-invalid"); });
    row.querySelectorAll(".name, .share-employee, .share-employer").forEach(function (c) { c.textContent = ""; });
    row.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    row.dataset.line = String(rows.length + 1);
    row.querySelector("td").textContent = String(rows.length + 1);
    body.appendChild(row);
    return row;
  }
  document.getElementById("add-row").addEventListener("click", function () {
    addRow().querySelector("input.nid").focus();
  });

  function lookup(input) {
    const digits = input.value.replace(/\D/g, "");
    const row = input.closest("tr");
    const name = row.querySelector(".name");
    if (digits.length !== 13) { if (!digits) name.textContent = ""; return; }
    fetch(form.dataset.personUrl + "&national_id=" + digits, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        name.textContent = data.found ? data.name + (data.message ? " · " + data.message : "") : data.message;
        name.classList.toggle("error", !data.found || !data.employed);
        const wage = row.querySelector("input.wage");
        if (data.wage && !wage.value) { wage.value = data.wage; recompute(true); }
      })
      .catch(function () { /* the server checks the line on submit */ });
  }

  body.addEventListener("input", function () { recompute(true); });
  body.addEventListener("change", function (event) {
    if (event.target.classList.contains("nid")) lookup(event.target);
  });
  body.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.altKey || event.ctrlKey) return;
    const input = event.target;
    if (input.tagName !== "INPUT") return;
    event.preventDefault();
    const row = input.closest("tr");
    if (input.classList.contains("nid")) {
      lookup(input);
      row.querySelector("input.wage").focus();
      return;
    }
    const next = row.nextElementSibling || addRow();
    const nextId = next.querySelector("input.nid");
    (nextId.value ? next.querySelector("input.wage") : nextId).focus();
  });
  // One submission at a time: a second Alt+P while the first is on its way would be
  // refused as a duplicate statement and hide the receipt.
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  window.addEventListener("pageshow", function () { delete form.dataset.sent; });
  recompute(false);
})();
