"""The cross-process benchmark's report: each server's ratio to the native floor per scenario, before and after, as a
hand-drawn SVG bar chart and as a Markdown table of medians with their ranges over the runs.

Its input is what crossprocess.py writes with --json (or holds in memory after a run): a document with "samples", one
per run, scenario and server, each ratio taken to the floor of the same scenario in the same run. The before/after pairs
come either from one document made with --baseline (the servers "KIND@base" against "KIND") or from two documents
(the first one's servers against the second's).
"""

import math
import statistics
from dataclasses import dataclass
from xml.sax.saxutils import escape

FLOOR = "floor"


@dataclass(frozen=True)
class Figure:
    """A median over the runs, with the lowest and highest run (None where the runs are not known)."""
    median: float
    low: float = None
    high: float = None

    def text(self, digits=2):
        if not math.isfinite(self.median):
            return "–"
        value = f"{self.median:,.{digits}f}"
        if self.low is None or self.high is None:
            return value
        return f"{value} ({self.low:,.{digits}f}–{self.high:,.{digits}f})"


def figure(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return Figure(float("nan"))
    return Figure(statistics.median(values), min(values), max(values))


@dataclass(frozen=True)
class Stat:
    """One server in one scenario: its ratio to the floor, p50 as a ratio to the floor's, and its CPU per request."""
    x_floor: Figure
    p50_x_floor: Figure
    cpu_us: Figure
    requests_per_s: Figure
    p50_us: Figure
    runs: int


def summarize(document):
    """{(scenario, server): Stat} for every server of a document, the floor too (its ratios are 1)."""
    samples = document.get("samples") or []
    if not samples:
        return _from_medians(document)
    floors = {(s["run"], s["scenario"]): s for s in samples if s["server"] == FLOOR}
    grouped = {}
    for s in samples:
        grouped.setdefault((s["scenario"], s["server"]), []).append(s)
    stats = {}
    for key, mine in grouped.items():
        missing = [s["run"] for s in mine if (s["run"], s["scenario"]) not in floors]
        if missing:
            raise ValueError(f"{key[0]}: run {missing[0]} has no floor to take {key[1]}'s ratio to")
        floor = [floors[(s["run"], s["scenario"])] for s in mine]
        stats[key] = Stat(
            x_floor=figure([s["requests_per_s"] / f["requests_per_s"] for s, f in zip(mine, floor)]),
            p50_x_floor=figure([s["p50_us"] / f["p50_us"] for s, f in zip(mine, floor)]),
            cpu_us=figure([s.get("server_cpu_us_per_request") for s in mine]),
            requests_per_s=figure([s["requests_per_s"] for s in mine]),
            p50_us=figure([s["p50_us"] for s in mine]),
            runs=len(mine))
    return stats


def _from_medians(document):
    """Documents without their runs: the medians alone, and the one range the run kept (the ratio's)."""
    stats = {}
    for r in document.get("medians") or []:
        low, high = r.get("x_floor_range") or (None, None)
        stats[(r["scenario"], r["server"])] = Stat(
            x_floor=Figure(r["x_floor"], low, high), p50_x_floor=Figure(r["p50_x_floor"]),
            cpu_us=Figure(r.get("server_cpu_us_per_request", float("nan"))), requests_per_s=Figure(r["requests_per_s"]),
            p50_us=Figure(r["p50_us"]), runs=r.get("runs", 0))
    if not stats:
        raise ValueError("the document holds neither samples nor medians (is it a crossprocess.py --json file?)")
    return stats


def _ordered(keys, position):
    seen = []
    for key in keys:
        if key[position] not in seen:
            seen.append(key[position])
    return seen


def _commit(document):
    return document.get("commit") or "?"


@dataclass
class Comparison:
    """What the chart and the table show: per scenario and server (the floor left out), a before and an after."""
    scenarios: list
    servers: list
    cells: dict  # (scenario, server) -> (before Stat or None, after Stat or None)
    before_label: str  # None: no before (one run without a baseline)
    after_label: str
    floors: list  # (label, {scenario: Stat})
    runs: int
    description: str


def compare(documents):
    """One document (with or without --baseline's "KIND@base" servers) or two (before, after)."""
    if not 1 <= len(documents) <= 2:
        raise ValueError(f"expected one or two documents, got {len(documents)}")
    stats = [summarize(d) for d in documents]
    if len(documents) == 2:
        before, after = stats
        before_label, after_label = f"before ({_commit(documents[0])})", f"after ({_commit(documents[1])})"
        floors = [(before_label, before), (after_label, after)]
    else:
        mine = stats[0]
        after = {k: v for k, v in mine.items() if "@" not in k[1]}
        before = {(k[0], k[1].split("@")[0]): v for k, v in mine.items() if "@" in k[1]}
        base = documents[0].get("baseline_commit") or "base"
        before_label = f"before ({base})" if before else None
        after_label = f"after ({_commit(documents[0])})" if before else _commit(documents[0])
        floors = [("same run", after)]
    keys = list(after) + [k for k in before if k not in after]
    scenarios = _ordered(keys, 0)
    servers = [s for s in _ordered(keys, 1) if s != FLOOR]
    for label, side in floors:
        lost = [s for s in scenarios if (s, FLOOR) not in side and any(k[0] == s for k in side)]
        if lost:
            raise ValueError(f"{label}: no floor in scenario '{lost[0]}': its ratios cannot be taken")
    cells = {}
    for scenario in scenarios:
        for server in servers:
            pair = (before.get((scenario, server)), after.get((scenario, server)))
            if pair != (None, None):
                cells[(scenario, server)] = pair
    runs = max(s.runs for side in stats for s in side.values())
    last = documents[-1]
    description = (f"medians of {runs} runs, {last.get('duration', '?')} s measured each, {last.get('cores', '?')} cores, "
                   f"{last.get('date', '?')}")
    return Comparison(scenarios, servers, cells, before_label, after_label,
                      [(label, {s: side[(s, FLOOR)] for s in scenarios if (s, FLOOR) in side}) for label, side in floors],
                      runs, description)


# --- Markdown -------------------------------------------------------------------------------------------------------

def markdown(comparison):
    """The table to paste: medians with the range over the runs in brackets, then the floor's own figures."""
    c = comparison
    none = "–"

    def cell(stat, field, digits=2):
        return getattr(stat, field).text(digits) if stat is not None else none

    if c.before_label is None:
        lines = ["| Scenario | Server | × floor (range) | p50 × floor (range) | Server CPU µs / request (range) |",
                 "|---|---|---:|---:|---:|"]
        for (scenario, server), (_, after) in c.cells.items():
            lines.append(f"| {scenario} | {server} | {cell(after, 'x_floor')} | {cell(after, 'p50_x_floor')} | "
                         f"{cell(after, 'cpu_us')} |")
    else:
        b, a = c.before_label, c.after_label
        lines = [f"| Scenario | Server | × floor, {b} | × floor, {a} | Change | p50 × floor, {b} | p50 × floor, {a} | "
                 f"CPU µs / request, {b} | CPU µs / request, {a} |",
                 "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for (scenario, server), (before, after) in c.cells.items():
            change = none
            if before is not None and after is not None and before.x_floor.median > 0:
                change = f"{(after.x_floor.median / before.x_floor.median - 1) * 100:+.0f}%"
            lines.append(f"| {scenario} | {server} | {cell(before, 'x_floor')} | {cell(after, 'x_floor')} | {change} | "
                         f"{cell(before, 'p50_x_floor')} | {cell(after, 'p50_x_floor')} | "
                         f"{cell(before, 'cpu_us')} | {cell(after, 'cpu_us')} |")
    lines.append("")
    for label, floors in c.floors:
        parts = [f"{scenario}: {stat.requests_per_s.median:,.0f} requests/s, p50 {stat.p50_us.median:,.1f} µs, "
                 f"{stat.cpu_us.text()} µs CPU / request" for scenario, stat in floors.items()]
        lines.append(f"Floor ({label}; {c.description}): " + "; ".join(parts) + ".")
    return "\n".join(lines) + "\n"


# --- SVG ------------------------------------------------------------------------------------------------------------

WIDTH, HEIGHT = 900, 520
LEFT, RIGHT, TOP, BOTTOM = 70, 190, 64, 96
COLORS = ["#1f77b4", "#d62728", "#7f7f7f", "#ff7f0e", "#2ca02c", "#bcbd22", "#9467bd", "#8c564b"]
BEFORE_OPACITY = 0.35


def _step(top):
    """A grid step that gives 4 to 10 lines up to top."""
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10):
        if top / step <= 10:
            return step
    return 10 ** math.ceil(math.log10(top / 10))


def _number(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _wrap(text, width):
    """Lines of at most width characters, broken between words (a longer word stands alone)."""
    lines = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def svg(comparison, title=None):
    """A grouped bar chart: one group per scenario, one colour per server, before (pale) beside after (solid), whiskers
    from the lowest to the highest run, and the floor's 1.0 as a dashed line."""
    c = comparison
    sides = [0, 1] if c.before_label is not None else [1]
    values = [1.0]
    for pair in c.cells.values():
        for side in sides:
            stat = pair[side]
            if stat is not None:
                values += [v for v in (stat.x_floor.median, stat.x_floor.high) if v is not None and math.isfinite(v)]
    step = _step(max(values) * 1.08)
    top = step * math.ceil(max(values) * 1.08 / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(c.scenarios))
    slots = len(c.servers) * len(sides) + max(0, len(c.servers) - 1) * 0.5
    bar_w = min(28.0, group_w * 0.8 / max(1.0, slots))

    def y(ratio):
        return TOP + plot_h - ratio / top * plot_h

    out = []

    def add(text):
        out.append(text)

    title = title or "Cross-process echo: each server's requests/s as a ratio to the native floor"
    add(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="sans-serif" font-size="12">')
    add(f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>')
    add(f'<text x="{LEFT + plot_w / 2:.1f}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>')
    add(f'<text x="{LEFT + plot_w / 2:.1f}" y="42" text-anchor="middle" fill="#555555">'
        f'{escape(c.description)}; whiskers: lowest to highest run</text>')

    # Grid and y labels.
    ticks = int(round(top / step))
    for i in range(ticks + 1):
        ratio = i * step
        add(f'<line x1="{LEFT}" y1="{y(ratio):.1f}" x2="{LEFT + plot_w}" y2="{y(ratio):.1f}" stroke="#e4e4e4"/>')
        add(f'<text x="{LEFT - 8}" y="{y(ratio) + 4:.1f}" text-anchor="end">{_number(ratio)}</text>')

    # Bars: a group per scenario.
    for g, scenario in enumerate(c.scenarios):
        center = LEFT + group_w * (g + 0.5)
        x = center - slots * bar_w / 2
        for s, server in enumerate(c.servers):
            color = COLORS[s % len(COLORS)]
            pair = c.cells.get((scenario, server), (None, None))
            for side in sides:
                stat = pair[side]
                if stat is not None and math.isfinite(stat.x_floor.median):
                    _bar(add, x, bar_w, y, stat, color, side, sides, c, scenario, server)
                x += bar_w
            x += bar_w * 0.5
        # The scenario's name under its group, wrapped to the group's width.
        for i, line in enumerate(_wrap(scenario, max(8, int(group_w / 7)))):
            add(f'<text x="{center:.1f}" y="{TOP + plot_h + 18 + 15 * i}" text-anchor="middle">{escape(line)}</text>')

    # The floor, axes and their titles.
    add(f'<line x1="{LEFT}" y1="{y(1):.1f}" x2="{LEFT + plot_w}" y2="{y(1):.1f}" stroke="black" stroke-dasharray="6 4"/>')
    # Inside the plot, over the line, haloed: beside it, the legend could be in its way.
    add(f'<text x="{LEFT + plot_w - 4}" y="{y(1) - 5:.1f}" text-anchor="end" stroke="white" stroke-width="3" '
        f'paint-order="stroke">the floor = 1</text>')
    add(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="black"/>')
    add(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>')
    add(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 20}" text-anchor="middle">'
        f'scenario (one TCP connection unless named; native load generator in its own process)</text>')
    add(f'<text transform="translate(20 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">'
        f'requests/s ÷ the floor\'s, same run</text>')

    # Legend: a swatch per server, then what pale and solid mean.
    legend_x, legend_y = LEFT + plot_w + 20, TOP + 30
    for s, server in enumerate(c.servers):
        color = COLORS[s % len(COLORS)]
        add(f'<rect x="{legend_x}" y="{legend_y - 9}" width="14" height="12" fill="{color}"/>')
        add(f'<text x="{legend_x + 20}" y="{legend_y + 2}">{escape(server)}</text>')
        legend_y += 20
    if c.before_label is not None:
        legend_y += 10
        for side, label in ((0, c.before_label), (1, c.after_label)):
            opacity = BEFORE_OPACITY if side == 0 else 1
            add(f'<rect x="{legend_x}" y="{legend_y - 9}" width="14" height="12" fill="#555555" fill-opacity="{opacity}" '
                f'stroke="#555555"/>')
            add(f'<text x="{legend_x + 20}" y="{legend_y + 2}">{escape(label)}</text>')
            legend_y += 20
    add("</svg>")
    return "\n".join(out) + "\n"


def _bar(add, x, width, y, stat, color, side, sides, c, scenario, server):
    figure_ = stat.x_floor
    top_y, base_y = y(figure_.median), y(0)
    label = "" if len(sides) == 1 else (", " + (c.before_label if side == 0 else c.after_label))
    opacity = f' fill-opacity="{BEFORE_OPACITY}" stroke="{color}"' if side == 0 else ""
    tip = f"{server}, {scenario}{label}: {figure_.text()} × floor; p50 {stat.p50_x_floor.text()} × floor; " \
          f"CPU {stat.cpu_us.text()} µs / request"
    add(f'<rect class="bar" x="{x:.1f}" y="{top_y:.1f}" width="{width:.1f}" height="{base_y - top_y:.1f}" '
        f'fill="{color}"{opacity}><title>{escape(tip)}</title></rect>')
    highest = top_y
    if figure_.low is not None and figure_.high is not None:
        mid, low_y, high_y = x + width / 2, y(figure_.low), y(figure_.high)
        add(f'<line class="range" x1="{mid:.1f}" y1="{low_y:.1f}" x2="{mid:.1f}" y2="{high_y:.1f}" stroke="black"/>')
        for end in (low_y, high_y):
            add(f'<line x1="{mid - width / 4:.1f}" y1="{end:.1f}" x2="{mid + width / 4:.1f}" y2="{end:.1f}" stroke="black"/>')
        highest = min(highest, high_y)
    # The median, written upwards above the bar (or its whisker).
    label_x, label_y = x + width / 2 + 4, highest - 4
    add(f'<text transform="translate({label_x:.1f} {label_y:.1f}) rotate(-90)" font-size="10">'
        f'{figure_.median:.2f}</text>')
