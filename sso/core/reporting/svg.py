"""A report's bar and line charts as small SVG, drawn on the server for the evidence PDF
(WeasyPrint runs no JavaScript, so the pages' ECharts cannot draw there). It draws what
`cells.chart_data` gives the pages' charts: x labels, each series' numbers (percent as
0-100) and the target line; every chart is printed above its table, which holds the figures."""

import math
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 680, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 56
COLOURS = ("#1f5fa8", "#e08a1e", "#3a9a4a", "#9a3a8a", "#777777")
MAX_LABELS = 16  # x labels shown at most (every n-th one beyond)


def _nice_top(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def chart_svg(data: dict) -> str:
    """The chart (kind bar or line) as an <svg> element; "" for a kind it does not draw
    (heatmaps, scatters: their tables stand alone) or a chart without data."""
    if data.get("kind") not in ("bar", "line") or not data.get("x"):
        return ""
    labels, series = data["x"], data["series"]
    values = [value for each in series for value in each["data"] if value is not None]
    if data.get("stacked"):
        values += [sum(each["data"][i] or 0 for each in series) for i in range(len(labels))]
    if data.get("target") is not None:
        values.append(data["target"])
    top = _nice_top(max(values, default=0))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + inner_h - inner_h * value / top

    slot = inner_w / len(labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" font-size="9" role="img" aria-label="{escape(data["title"])}">'
    ]
    for step in range(5):  # the value axis: 0, a quarter, ... the top
        value = top * step / 4
        y = y_of(value)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{_number(value)}{data["unit"]}</text>')
    every = math.ceil(len(labels) / MAX_LABELS)
    for index, label in enumerate(labels):
        if index % every == 0:
            x = LEFT + slot * (index + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{TOP + inner_h + 10}" text-anchor="end" '
                f'transform="rotate(-35 {x:.1f} {TOP + inner_h + 10})">{escape(str(label)[:18])}</text>'
            )
    bars = len(series) if data["kind"] == "bar" and not data.get("stacked") else 1
    width = slot * 0.8 / bars
    for number, each in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        if data["kind"] == "bar":
            for index, value in enumerate(each["data"]):
                if value is None:
                    continue
                below = sum(s["data"][index] or 0 for s in series[:number]) if data.get("stacked") else 0
                x = LEFT + slot * index + slot * 0.1 + (0 if data.get("stacked") else width * number)
                y = y_of(below + value)
                height = y_of(below) - y
                box = f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"'
                parts.append(f'<rect {box} fill="{colour}"/>')
        else:
            points = " ".join(
                f"{LEFT + slot * (index + 0.5):.1f},{y_of(value):.1f}"
                for index, value in enumerate(each["data"])
                if value is not None
            )
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        key_x = LEFT + inner_w / len(series) * number  # the legend: one key per series
        parts.append(
            f'<rect x="{key_x:.1f}" y="{HEIGHT - 12}" width="8" height="8" fill="{colour}"/>'
            f'<text x="{key_x + 11:.1f}" y="{HEIGHT - 4}">{escape(each["name"])}</text>'
        )
    if data.get("target") is not None:
        y = y_of(data["target"])
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c00" stroke-dasharray="4 3"/>'
            f'<text x="{WIDTH - RIGHT}" y="{y - 3:.1f}" text-anchor="end" fill="#c00">'
            f"{escape(data['target_label'])} {_number(data['target'])}{data['unit']}</text>"
        )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + inner_h}" stroke="#333"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + inner_h}" y2="{TOP + inner_h}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)
