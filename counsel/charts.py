"""Server-side SVG charts of check-in ratings (0-10) over time, for the pages and the PDF
report alike. Self-contained: presentation attributes only (no CSS, no script, no style
attribute), so the markup is CSP-safe and renders the same anywhere.

Readable without colour: each scale has its own marker shape and dash pattern, and its
name is written beside its last point. The chart is ``role="img"`` with a ``<title>`` and
a ``<desc>`` naming it; ``table_rows`` gives the values for the text alternative."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 130, 20, 56
LOW, HIGH = 0, 10
# Dark enough on white for 3:1 (WCAG non-text contrast); told apart by shape and dash too.
COLOURS = ("#1f5fa8", "#a0421a", "#2a6e2f", "#6b3fa0", "#8a6d00", "#9b1f4f")
DASHES = ("", "8 4", "2 4", "10 4 2 4", "4 4", "12 3 3 3 3 3")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "down")
LABEL_GAP = 13
LABEL_CHARS = 18  # what fits in RIGHT at 12 px, bold


def _x(day: date, first: date, last: date) -> float:
    span = WIDTH - LEFT - RIGHT
    if first == last:
        return LEFT + span / 2
    return LEFT + span * (day - first).days / (last - first).days


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (HIGH - value) / (HIGH - LOW)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    common = f'fill="{colour}" stroke="{colour}" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {common}/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {common}/>'
    if shape == "cross":
        return (f'<path d="M{x - 4.5:.1f},{y - 4.5:.1f}L{x + 4.5:.1f},{y + 4.5:.1f}'
                f'M{x - 4.5:.1f},{y + 4.5:.1f}L{x + 4.5:.1f},{y - 4.5:.1f}" fill="none" '
                f'stroke="{colour}" stroke-width="2.5"/>')
    points = {"triangle": ((0, -5.5), (5, 4), (-5, 4)),
              "down": ((0, 5.5), (5, -4), (-5, -4)),
              "diamond": ((0, -5.5), (5, 0), (0, 5.5), (-5, 0))}[shape]
    coords = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in points)
    return f'<polygon points="{coords}" {common}/>'


def _date_ticks(days: list[date], most: int = 6) -> list[date]:
    if len(days) <= most:
        return days
    step = (len(days) - 1) / (most - 1)
    return [days[round(i * step)] for i in range(most)]


def _spread(wanted: list[tuple[float, int]]) -> dict[int, float]:
    """Label heights, nudged apart so no two labels overlap (kept inside the plot)."""
    placed: dict[int, float] = {}
    previous = None
    for y, index in sorted(wanted):
        y = max(y, TOP + 4) if previous is None else max(y, previous + LABEL_GAP)
        placed[index] = previous = y
    overflow = (previous or 0) - (HEIGHT - BOTTOM + 4)
    if overflow > 0:
        placed = {i: y - overflow for i, y in placed.items()}
    return placed


def _short(name: str) -> str:
    """A scale's name as its direct label: long ones are cut to fit beside the plot (the
    description and the table give it whole)."""
    return name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1].rstrip() + "…"


def _label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def describe(checkins, scales: list[str]) -> str:
    if not checkins:
        return "No check-ins yet."
    first, last = checkins[0], checkins[-1]
    latest = ", ".join(f"{name} {last.ratings[name]}" for name in scales if name in last.ratings)
    span = (f"from {_label(first.taken_on)} to {_label(last.taken_on)}"
            if len(checkins) > 1 else f"on {_label(first.taken_on)}")
    count = f"{len(checkins)} check-in{'s' if len(checkins) != 1 else ''}"
    return (f"{count} {span}, each scale rated 0 to 10: {', '.join(scales)}. "
            f"Latest ({_label(last.taken_on)}): {latest or 'no ratings'}.")


def ratings_chart(checkins, scales: list[str], *, chart_id: str = "checkins",
                  title: str = "Check-in ratings over time") -> Markup:
    """An SVG line chart of every scale's ratings over time. ``checkins`` have ``taken_on``
    and ``ratings`` ({scale: 0-10}), oldest first; a scale not rated on a day breaks its
    line there."""
    e = escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
           f'font-family="sans-serif" font-size="12">',
           f'<title id="{chart_id}-title">{e(title)}</title>',
           f'<desc id="{chart_id}-desc">{e(describe(checkins, scales))}</desc>',
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']
    right = WIDTH - RIGHT
    for value in range(LOW, HIGH + 1):
        y = _y(value)
        strong = value in (LOW, HIGH) or value % 5 == 0
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                   f'stroke="{"#767676" if strong else "#d0d0d0"}" stroke-width="1"/>')
        if value % 2 == 0:
            out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" '
                       f'fill="#333333">{value}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{_y(LOW):.1f}" '
               f'stroke="#767676" stroke-width="1"/>')
    out.append(f'<text x="12" y="{(TOP + HEIGHT - BOTTOM) / 2:.1f}" text-anchor="middle" '
               f'fill="#333333" transform="rotate(-90 12 {(TOP + HEIGHT - BOTTOM) / 2:.1f})">'
               f'Rating (0-10)</text>')
    if not checkins:
        out.append(f'<text x="{(LEFT + right) / 2:.1f}" y="{_y(5):.1f}" text-anchor="middle" '
                   f'fill="#333333" font-size="15">No check-ins yet</text></svg>')
        return Markup("".join(out))  # noqa: S704 - every text in it is escaped above
    days = [c.taken_on for c in checkins]
    first, last = days[0], days[-1]
    for day in _date_ticks(days):
        x = _x(day, first, last)
        out.append(f'<line x1="{x:.1f}" y1="{_y(LOW):.1f}" x2="{x:.1f}" '
                   f'y2="{_y(LOW) + 5:.1f}" stroke="#767676" stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{_y(LOW) + 19:.1f}" text-anchor="middle" '
                   f'fill="#333333">{day.day} {day:%b}</text>')
    years = f"{first:%Y}" if first.year == last.year else f"{first:%Y} to {last:%Y}"
    out.append(f'<text x="{(LEFT + right) / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
               f'fill="#333333">Date ({years})</text>')
    ends = []
    for index, name in enumerate(scales):
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)]
        shape = MARKERS[index % len(MARKERS)]
        points = [(_x(c.taken_on, first, last), _y(c.ratings[name]), c.ratings[name])
                  if isinstance(c.ratings.get(name), int) else None for c in checkins]
        d, pen = [], "M"
        for point in points:
            if point is None:
                pen = "M"
                continue
            d.append(f"{pen}{point[0]:.1f},{point[1]:.1f}")
            pen = "L"
        out.append(f'<g data-scale="{e(name)}">')
        if d:
            out.append(f'<path d="{"".join(d)}" fill="none" stroke="{colour}" stroke-width="2"'
                       + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        out += [_marker(shape, x, y, colour) for x, y, _ in filter(None, points)]
        out.append("</g>")
        shown = [p for p in points if p]
        if shown:
            ends.append((shown[-1][1], index))
    heights = _spread(ends)
    for index, name in enumerate(scales):
        if index in heights:
            colour = COLOURS[index % len(COLOURS)]
            out.append(f'<text x="{right + 10}" y="{heights[index] + 4:.1f}" fill="{colour}" '
                       f'font-weight="bold">{e(_short(name))}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it is escaped above


def table_rows(checkins, scales: list[str]) -> list[tuple[date, list[int | None]]]:
    """The text alternative's rows: each day and its rating on each scale (None: not asked)."""
    return [(c.taken_on, [c.ratings.get(name) for name in scales]) for c in checkins]
