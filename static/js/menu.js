// The staff menu on one row (issue 15, part 4): the entries that do not fit the window go
// under "More" at its end, a <details> list (keyboard: Tab to it, Enter opens, Escape closes).
// Without this script the row scrolls sideways (app.css); nothing is hidden either way.
(function () {
  "use strict";
  const nav = document.querySelector("nav.menu");
  const list = nav && nav.querySelector("ul");
  if (!list) return;
  const entries = Array.from(list.children);
  const more = document.createElement("li");
  more.className = "more";
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = nav.dataset.more || "More";
  const inner = document.createElement("ul");
  details.append(summary, inner);
  more.append(details);
  nav.classList.add("menu-fitted");

  function overflowing() {
    return list.scrollWidth > list.clientWidth + 1;
  }

  function fit() {
    const open = details.open;
    entries.forEach((entry) => list.append(entry));
    more.remove();
    if (!overflowing()) return;
    list.append(more);
    let last = entries.length - 1;
    while (overflowing() && last > 0) {
      inner.prepend(entries[last]);
      last -= 1;
    }
    details.open = open;
  }

  let pending = false;
  window.addEventListener("resize", () => {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(() => {
      pending = false;
      fit();
    });
  });
  document.addEventListener("click", (event) => {
    if (details.open && !details.contains(event.target)) details.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && details.open) {
      details.open = false;
      summary.focus();
    }
  });
  fit();
})();
