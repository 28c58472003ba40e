// The report pages: the range form (typing a day makes the range custom), tables sorted by a
// click or Enter on their header, and the charts, drawn with Apache ECharts
// (static/vendor/echarts) from the data each chart's json_script element holds. No inline
// script or style anywhere (the content security policy): ECharts styles its own elements
// through the DOM, which the policy allows.
(function () {
  "use strict";

  // --- The range form ---------------------------------------------------------------------------
  const form = document.querySelector("[data-report-range]");
  if (form) {
    const preset = form.querySelector("select[name=preset]");
    form.querySelectorAll("input[name=start], input[name=end]").forEach(function (input) {
      input.addEventListener("input", function () {
        if (preset) preset.value = "custom";
      });
    });
  }

  // --- Sorting a table by a column --------------------------------------------------------------
  function sortKey(cell) {
    const raw = cell.dataset.sort || "";
    const number = Number(raw);
    return raw !== "" && !Number.isNaN(number) ? number : raw.toLowerCase();
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("button[data-sort-column]").forEach(function (button) {
      button.addEventListener("click", function () {
        const index = Number(button.dataset.sortColumn);
        const header = button.closest("th");
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows).filter(function (row) { return row.cells.length > index; });
        rows.sort(function (a, b) {
          const x = sortKey(a.cells[index]);
          const y = sortKey(b.cells[index]);
          if (x === y) return 0;
          return (x < y ? -1 : 1) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  // --- Charts -----------------------------------------------------------------------------------
  if (!window.echarts) return;

  function escaped(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function number(value, unit) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: 2 }) + unit;
  }

  // Tooltips as plain text lines: ECharts' own markers carry style attributes, which the policy refuses.
  function axisTooltip(unit) {
    return function (items) {
      const list = Array.isArray(items) ? items : [items];
      if (!list.length) return "";
      const lines = [escaped(list[0].name)];
      list.forEach(function (item) {
        const value = Array.isArray(item.value) ? item.value[item.value.length - 1] : item.value;
        lines.push(escaped(item.seriesName) + ": " + escaped(number(value, unit)));
      });
      return lines.join("<br>");
    };
  }

  function targetLine(data) {
    if (data.target === null || data.target === undefined) return undefined;
    return {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dashed", color: "#b3261e", width: 2 },
      label: { formatter: data.target_label + " " + number(data.target, data.unit || ""), position: "insideEndTop" },
      data: [{ yAxis: data.target }],
    };
  }

  function option(data) {
    const unit = data.unit || "";
    const base = { animation: false, grid: { left: 64, right: 32, top: 48, bottom: 56, containLabel: true } };
    if (data.kind === "heatmap") {
      const values = data.cells.map(function (cell) { return cell[2]; }).filter(function (v) { return v !== null; });
      return Object.assign(base, {
        tooltip: {
          formatter: function (item) {
            return escaped(data.y[item.value[1]] + " · " + data.x[item.value[0]]) + "<br>"
              + escaped(data.value_label + ": " + number(item.value[2], ""));
          },
        },
        xAxis: { type: "category", data: data.x, name: data.x_label, nameLocation: "middle", nameGap: 32, splitArea: { show: true } },
        yAxis: { type: "category", data: data.y, name: data.y_label, splitArea: { show: true } },
        visualMap: {
          min: values.length ? Math.min.apply(null, values) : 0,
          max: values.length ? Math.max.apply(null, values) : 1,
          calculable: true, orient: "horizontal", left: "center", bottom: 0,
          inRange: { color: ["#e8f1fb", "#0b4f8a", "#b3261e"] },
        },
        grid: { left: 64, right: 32, top: 24, bottom: 80, containLabel: true },
        series: [{ type: "heatmap", name: data.value_label, data: data.cells }],
      });
    }
    if (data.kind === "scatter") {
      return Object.assign(base, {
        legend: { top: 0 },
        tooltip: {
          trigger: "item",
          formatter: function (item) {
            return escaped(item.seriesName) + "<br>" + escaped(data.x_label + ": " + number(item.value[0], ""))
              + "<br>" + escaped(number(item.value[1], unit));
          },
        },
        xAxis: { type: "value", name: data.x_label, nameLocation: "middle", nameGap: 32 },
        yAxis: { type: "value", axisLabel: { formatter: "{value}" + unit } },
        series: data.series.map(function (series, index) {
          return { type: "scatter", name: series.name, data: series.data, markLine: index === 0 ? targetLine(data) : undefined };
        }),
      });
    }
    return Object.assign(base, {
      legend: { top: 0 },
      tooltip: { trigger: "axis", formatter: axisTooltip(unit) },
      xAxis: { type: "category", data: data.x, name: data.x_label, nameLocation: "middle", nameGap: 32 },
      yAxis: { type: "value", axisLabel: { formatter: "{value}" + unit } },
      series: data.series.map(function (series, index) {
        return {
          type: data.kind === "bar" ? "bar" : "line",
          name: series.name,
          data: series.data,
          connectNulls: false,
          stack: data.stacked ? "total" : undefined,
          markLine: index === 0 ? targetLine(data) : undefined,
        };
      }),
    });
  }

  const charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    const source = document.getElementById(element.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(data));
    charts.push(chart);
    element.dataset.rendered = "true";
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  // Printing: the charts take the printed page's width, and back.
  window.addEventListener("beforeprint", function () { charts.forEach(function (chart) { chart.resize(); }); });
  window.addEventListener("afterprint", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
