"""Server-side SVG charts of check-in ratings (0-10) over time, for the pages and the PDF
report alike. Self-contained: presentation attributes only (no CSS, no script, no style
attribute), so the markup is CSP-safe and renders the same anywhere.

Readable without colour: each scale has its own marker shape and dash pattern, and its
name is written beside its last point. The chart is ``role="img"`` with a ``<title>`` and
a ``<desc>`` naming it; ``table_rows`` gives the values for the text alternative."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

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


def _svg(template: str, *args, **values) -> Markup:
    """One element of the chart: ``template`` is this module's own markup, and every value
    put into it (numbers, and the scale names and texts a counselor typed) is escaped by
    ``Markup.format``. Nothing else is marked safe."""
    return Markup(template).format(*args, **values)  # noqa: S704 - a literal of this module


def _marker(shape: str, x: float, y: float, colour: str) -> Markup:
    common = {"colour": colour}
    if shape == "circle":
        return _svg('<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}" '
                    'stroke="{colour}" stroke-width="1.5"/>', x=x, y=y, **common)
    if shape == "square":
        return _svg('<rect x="{x:.1f}" y="{y:.1f}" width="8" height="8" fill="{colour}" '
                    'stroke="{colour}" stroke-width="1.5"/>', x=x - 4, y=y - 4, **common)
    if shape == "cross":
        return _svg('<path d="M{a:.1f},{b:.1f}L{c:.1f},{d:.1f}M{a:.1f},{d:.1f}L{c:.1f},{b:.1f}" '
                    'fill="none" stroke="{colour}" stroke-width="2.5"/>',
                    a=x - 4.5, b=y - 4.5, c=x + 4.5, d=y + 4.5, **common)
    points = {"triangle": ((0, -5.5), (5, 4), (-5, 4)),
              "down": ((0, 5.5), (5, -4), (-5, -4)),
              "diamond": ((0, -5.5), (5, 0), (0, 5.5), (-5, 0))}[shape]
    coords = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in points)
    return _svg('<polygon points="{coords}" fill="{colour}" stroke="{colour}" '
                'stroke-width="1.5"/>', coords=coords, **common)


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
    out = [_svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
                'role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" '
                'font-size="12">', w=WIDTH, h=HEIGHT, id=chart_id),
           _svg('<title id="{}-title">{}</title>', chart_id, title),
           _svg('<desc id="{}-desc">{}</desc>', chart_id, describe(checkins, scales)),
           _svg('<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>', WIDTH, HEIGHT)]
    right = WIDTH - RIGHT
    for value in range(LOW, HIGH + 1):
        y = _y(value)
        strong = value in (LOW, HIGH) or value % 5 == 0
        out.append(_svg('<line x1="{}" y1="{y:.1f}" x2="{}" y2="{y:.1f}" stroke="{}" '
                        'stroke-width="1"/>', LEFT, right, "#767676" if strong else "#d0d0d0",
                        y=y))
        if value % 2 == 0:
            out.append(_svg('<text x="{}" y="{:.1f}" text-anchor="end" fill="#333333">{}</text>',
                            LEFT - 8, y + 4, value))
    middle = (TOP + HEIGHT - BOTTOM) / 2
    out.append(_svg('<line x1="{x}" y1="{}" x2="{x}" y2="{:.1f}" stroke="#767676" '
                    'stroke-width="1"/>', TOP, _y(LOW), x=LEFT))
    out.append(_svg('<text x="12" y="{m:.1f}" text-anchor="middle" fill="#333333" '
                    'transform="rotate(-90 12 {m:.1f})">Rating (0-10)</text>', m=middle))
    if not checkins:
        out.append(_svg('<text x="{:.1f}" y="{:.1f}" text-anchor="middle" fill="#333333" '
                        'font-size="15">No check-ins yet</text></svg>', (LEFT + right) / 2, _y(5)))
        return Markup("").join(out)
    days = [c.taken_on for c in checkins]
    first, last = days[0], days[-1]
    for day in _date_ticks(days):
        x = _x(day, first, last)
        out.append(_svg('<line x1="{x:.1f}" y1="{:.1f}" x2="{x:.1f}" y2="{:.1f}" '
                        'stroke="#767676" stroke-width="1"/>', _y(LOW), _y(LOW) + 5, x=x))
        out.append(_svg('<text x="{:.1f}" y="{:.1f}" text-anchor="middle" fill="#333333">'
                        '{} {}</text>', x, _y(LOW) + 19, day.day, f"{day:%b}"))
    years = f"{first:%Y}" if first.year == last.year else f"{first:%Y} to {last:%Y}"
    out.append(_svg('<text x="{:.1f}" y="{}" text-anchor="middle" fill="#333333">Date ({})'
                    '</text>', (LEFT + right) / 2, HEIGHT - 10, years))
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
        out.append(_svg('<g data-scale="{}">', name))
        if d:
            out.append(_svg('<path d="{}" fill="none" stroke="{}" stroke-width="2"'
                            + (' stroke-dasharray="{}"/>' if dash else "{}/>"),
                            "".join(d), colour, dash))
        out += [_marker(shape, x, y, colour) for x, y, _ in filter(None, points)]
        out.append(Markup("</g>"))
        shown = [p for p in points if p]
        if shown:
            ends.append((shown[-1][1], index))
    heights = _spread(ends)
    for index, name in enumerate(scales):
        if index in heights:
            out.append(_svg('<text x="{}" y="{:.1f}" fill="{}" font-weight="bold">{}</text>',
                            right + 10, heights[index] + 4, COLOURS[index % len(COLOURS)],
                            _short(name)))
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def table_rows(checkins, scales: list[str]) -> list[tuple[date, list[int | None]]]:
    """The text alternative's rows: each day and its rating on each scale (None: not asked)."""
    return [(c.taken_on, [c.ratings.get(name) for name in scales]) for c in checkins]


# -- the no-contact strip -----------------------------------------------------------------

STRIP_PER_ROW = 15
CELL, CELL_GAP = 30, 4
STRIP_TOP, STRIP_LEGEND = 18, 64
# Each state has its own mark (drawn, not a font's glyph) as well as its own fill.
STRIP_STATES = {
    "kept": ("Kept", "#d9ecd9"),
    "exception": ("Allowed exception", "#dbe6f5"),
    "broke": ("Broke it", "#f6d5cc"),
    "missing": ("No check-in", "#ffffff"),
    "today": ("Today", "#ffffff"),
    "upcoming": ("To come", "#f4f4f4"),
}
STRIP_INK = "#222222"


def _strip_mark(state: str, x: float, y: float, late: bool) -> Markup:
    """The mark inside one day's cell, whose top left corner is (x, y)."""
    fill = STRIP_STATES[state][1]
    dashed = state in ("missing", "upcoming")
    width = 3 if state == "today" else 1
    out = [_svg('<rect x="{x}" y="{y}" width="{c}" height="{c}" fill="{}" stroke="{}" '
                'stroke-width="{}"' + (' stroke-dasharray="3 2"/>' if dashed else '/>'),
                fill, STRIP_INK if state != "upcoming" else "#767676", width, x=x, y=y, c=CELL)]
    cx, cy = x + CELL / 2, y + CELL / 2
    if state == "kept":
        out.append(_svg('<path d="M{:.1f},{:.1f}L{:.1f},{:.1f}L{:.1f},{:.1f}" fill="none" '
                        'stroke="#1e5b22" stroke-width="3"/>', cx - 8, cy, cx - 2, cy + 7,
                        cx + 9, cy - 7))
    elif state == "broke":
        out.append(_svg('<path d="M{a:.1f},{b:.1f}L{c:.1f},{d:.1f}M{a:.1f},{d:.1f}'
                        'L{c:.1f},{b:.1f}" fill="none" stroke="#8c2a12" stroke-width="3"/>',
                        a=cx - 7, b=cy - 7, c=cx + 7, d=cy + 7))
    elif state == "exception":
        out.append(_svg('<circle cx="{:.1f}" cy="{:.1f}" r="7" fill="none" stroke="#1f4f8a" '
                        'stroke-width="3"/>', cx, cy))
    elif state == "missing":
        out.append(_svg('<text x="{:.1f}" y="{:.1f}" text-anchor="middle" fill="{}" '
                        'font-size="16" font-weight="bold">?</text>', cx, cy + 6, STRIP_INK))
    if late:
        out.append(_svg('<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"/>',
                        x + CELL - 5, y + 5, STRIP_INK))
    return Markup("").join(out)


def describe_strip(summary) -> str:
    counts = summary.counts
    parts = [f"{counts['kept']} kept", f"{counts['exception']} allowed exceptions",
             f"{counts['broke']} broken", f"{counts['missing']} without a check-in"]
    return (f"No-contact period of {len(summary.strip)} days from {_label(summary.starts_on)} "
            f"to {_label(summary.ends_on)}: {', '.join(parts)}. Current streak "
            f"{summary.current_streak} days, longest {summary.longest_streak}, "
            f"{summary.days_remaining} days remaining.")


def no_contact_strip(summary, *, chart_id: str = "no-contact",
                     title: str = "The no-contact period, day by day") -> Markup:
    """Every day of a tracker's period (``trackers.Summary``) as a cell, 15 to a row, each
    state with its own mark and fill, late check-ins with a dot; a legend below. Read
    without colour by the marks; the page's table and ``describe_strip`` say it in words."""
    rows = -(-len(summary.strip) // STRIP_PER_ROW)
    width = STRIP_PER_ROW * (CELL + CELL_GAP) + 40
    height = STRIP_TOP + rows * (CELL + CELL_GAP + 12) + STRIP_LEGEND
    out = [_svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
                'role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" '
                'font-size="11">', w=width, h=height, id=chart_id),
           _svg('<title id="{}-title">{}</title>', chart_id, title),
           _svg('<desc id="{}-desc">{}</desc>', chart_id, describe_strip(summary)),
           _svg('<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>', width, height)]
    for index, day in enumerate(summary.strip):
        row, col = divmod(index, STRIP_PER_ROW)
        x = 20 + col * (CELL + CELL_GAP)
        y = STRIP_TOP + row * (CELL + CELL_GAP + 12)
        out.append(_svg('<g data-day="{}" data-state="{}">', day.day.isoformat(), day.state))
        out.append(_strip_mark(day.state, x, y, day.late))
        if day.number == 1 or day.day.day == 1 or col == 0:
            out.append(_svg('<text x="{:.1f}" y="{:.1f}" text-anchor="middle" fill="#333333">'
                            '{} {}</text>', x + CELL / 2, y + CELL + 11, day.day.day,
                            f"{day.day:%b}"))
        out.append(Markup("</g>"))
    legend_y = height - STRIP_LEGEND + 8
    for index, state in enumerate(("kept", "exception", "broke", "missing")):
        x = 20 + (index % 2) * 200
        y = legend_y + (index // 2) * (CELL + 2) * 0.8
        out.append(_svg('<g transform="translate({:.1f} {:.1f}) scale(0.7)">', x, y))
        out.append(_strip_mark(state, 0, 0, False))
        out.append(Markup("</g>"))
        out.append(_svg('<text x="{:.1f}" y="{:.1f}" fill="#333333">{}</text>',
                        x + CELL * 0.7 + 6, y + CELL * 0.35 + 4, STRIP_STATES[state][0]))
    out.append(_svg('<circle cx="{}" cy="{:.1f}" r="3" fill="{}"/><text x="{}" y="{:.1f}" '
                    'fill="#333333">Checked in late</text>', 406, legend_y + CELL * 0.35,
                    STRIP_INK, 414, legend_y + CELL * 0.35 + 4))
    out.append(Markup("</svg>"))
    return Markup("").join(out)
