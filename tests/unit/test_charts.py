"""The check-in chart and the no-contact strip (counsel/charts.py): well-formed SVG with a
title and description, one line and one set of markers per scale told apart without
colour, values placed right on a 0-10 axis, no script, and calm with no data or one point;
each day of the strip with its own mark; only the module's own markup marked safe."""

import ast
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from counsel import charts, trackers

NS = {"s": "http://www.w3.org/2000/svg"}
SCALES = ["trust", "communication", "hope"]
TEXT = "{http://www.w3.org/2000/svg}text"


def checkin(day, **ratings):
    return SimpleNamespace(taken_on=day, ratings=ratings)


def parse(svg):
    return ET.fromstring(str(svg))  # noqa: S314 - the app's own markup


def test_no_check_ins_is_a_calm_empty_chart():
    root = parse(charts.ratings_chart([], SCALES, chart_id="c"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c-title c-desc"
    assert root.find("s:title", NS).text == "Check-in ratings over time"
    assert root.find("s:desc", NS).text == "No check-ins yet."
    assert "No check-ins yet" in [t.text for t in root.iter(TEXT)]
    assert not root.findall(".//s:g[@data-scale]", NS)


def test_one_point_sits_in_the_middle_with_its_label():
    root = parse(charts.ratings_chart([checkin(date(2026, 3, 2), trust=10, communication=0,
                                               hope=5)], SCALES))
    groups = root.findall(".//s:g[@data-scale]", NS)
    assert [g.get("data-scale") for g in groups] == SCALES
    middle = charts.LEFT + (charts.WIDTH - charts.LEFT - charts.RIGHT) / 2
    trust = groups[0].find("s:circle", NS)
    assert (float(trust.get("cx")), float(trust.get("cy"))) == (middle, charts._y(10))
    assert charts._y(10) == charts.TOP and charts._y(0) == charts.HEIGHT - charts.BOTTOM
    assert "1 check-in on 2 Mar 2026" in root.find("s:desc", NS).text


def test_each_scale_has_its_own_line_marker_and_dash_and_a_direct_label():
    data = [checkin(date(2026, 3, 2), trust=2, communication=4, hope=6),
            checkin(date(2026, 3, 9), trust=3, communication=5, hope=7),
            checkin(date(2026, 3, 23), trust=8, communication=1, hope=9)]
    svg = str(charts.ratings_chart(data, SCALES))
    root = parse(svg)
    assert "<script" not in svg and "style=" not in svg and "href" not in svg
    groups = root.findall(".//s:g[@data-scale]", NS)
    paths = [g.find("s:path", NS) for g in groups]
    assert len({p.get("stroke-dasharray") for p in paths}) == 3
    shapes = [[child.tag.split("}")[1] for child in g][1:] for g in groups]
    assert shapes == [["circle"] * 3, ["rect"] * 3, ["polygon"] * 3]
    # x follows the dates (the 23rd is twice as far from the 9th as the 9th from the 2nd)
    xs = [float(c.get("cx")) for c in groups[0].findall("s:circle", NS)]
    assert abs((xs[2] - xs[1]) / (xs[1] - xs[0]) - 2) < 0.01
    assert [float(c.get("cy")) for c in groups[0].findall("s:circle", NS)] == \
        [charts._y(v) for v in (2, 3, 8)]
    assert paths[0].get("d").count("L") == 2
    labels = [t.text for t in root.iter(TEXT)]
    assert {"trust", "communication", "hope"} <= set(labels)
    for value in range(0, 11, 2):
        assert str(value) in labels
    assert {"2 Mar", "9 Mar", "23 Mar"} <= set(labels)
    assert "Latest (23 Mar 2026): trust 8, communication 1, hope 9" in \
        root.find("s:desc", NS).text


def test_a_scale_not_rated_breaks_its_line_and_markup_in_names_is_text():
    name = '<b onload="x()">&calm'
    data = [checkin(date(2026, 3, 1), **{name: 1}), checkin(date(2026, 3, 2)),
            checkin(date(2026, 3, 3), **{name: 4})]
    svg = str(charts.ratings_chart(data, [name]))
    root = parse(svg)
    assert "<b " not in svg
    group = root.find(".//s:g[@data-scale]", NS)
    assert group.get("data-scale") == name
    assert group.find("s:path", NS).get("d").count("M") == 2
    assert charts.table_rows(data, [name]) == [(date(2026, 3, 1), [1]),
                                               (date(2026, 3, 2), [None]),
                                               (date(2026, 3, 3), [4])]


def test_labels_at_the_same_height_do_not_overlap():
    data = [checkin(date(2026, 3, 2), **{f"s{n}": 5 for n in range(6)})]
    root = parse(charts.ratings_chart(data, [f"s{n}" for n in range(6)]))
    heights = sorted(float(t.get("y")) for t in root.iter(TEXT)
                     if (t.text or "").startswith("s"))
    assert len(heights) == 6
    assert all(b - a >= charts.LABEL_GAP - 0.01 for a, b in zip(heights, heights[1:], strict=False))


def test_a_long_scale_name_is_cut_beside_the_plot_but_whole_in_the_description():
    name = "feeling heard when we talk"
    root = parse(charts.ratings_chart([checkin(date(2026, 3, 2), **{name: 5})], [name]))
    labels = [t.text for t in root.iter(TEXT)]
    assert "feeling heard whe…" in labels and name not in labels
    assert name in root.find("s:desc", NS).text


# -- what may be marked safe (SECURITY.md 9) -----------------------------------------------

def _literal(node) -> bool:
    """A string literal, or literals joined by + or chosen by a conditional."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal(node.left) and _literal(node.right)
    if isinstance(node, ast.IfExp):
        return _literal(node.body) and _literal(node.orelse)
    return False


def test_only_this_module_s_own_literal_markup_is_marked_safe():
    """Every template ``_svg`` marks safe, and every other ``Markup(...)``, is a literal of
    charts.py; whatever fills them (numbers, scale names, titles) goes through
    ``Markup.format``, which escapes it."""
    tree = ast.parse(Path(charts.__file__).read_text())
    (svg,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_svg"]
    inside = set(ast.walk(svg))  # its own Markup(template): the literal its callers pass
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n not in inside
             and isinstance(n.func, ast.Name) and n.func.id in ("_svg", "Markup")]
    assert len(calls) > 30
    for call in calls:
        assert call.args and _literal(call.args[0]), ast.unparse(call)
    joins = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "join"
             and isinstance(n.value, ast.Call) and ast.unparse(n.value.func) == "Markup"]
    assert joins, "Markup('').join escapes anything not already Markup"


def test_typed_text_in_a_chart_is_escaped_where_it_is_drawn():
    evil = '<script>x</script>"&'
    shown = str(charts.ratings_chart([checkin(date(2026, 3, 2), **{evil: 5})], [evil],
                                     title=evil))
    strip = str(charts.no_contact_strip(_summary(), title=evil))
    for svg in (shown, strip):
        assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;&#34;&amp;" in svg
        parse(svg)  # still well formed


# -- the no-contact strip -----------------------------------------------------------------

def _summary():
    days = [SimpleNamespace(day=date(2026, 11, d), outcome=o, late=late, urge=3)
            for d, o, late in ((1, "kept", False), (2, "broke", False),
                               (4, "exception", True))]
    return trackers.summarize(date(2026, 11, 1), 20, days, date(2026, 11, 5))


def test_the_strip_draws_every_day_with_its_own_mark_and_says_it_in_words():
    root = parse(charts.no_contact_strip(_summary(), chart_id="s"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "s-title s-desc"
    states = [g.get("data-state") for g in root.findall(".//s:g[@data-day]", NS)]
    assert states == ["kept", "broke", "missing", "exception", "today"] + ["upcoming"] * 15
    desc = root.find("s:desc", NS).text
    assert "1 kept, 1 allowed exceptions, 1 broken, 1 without a check-in" in desc
    assert "Current streak 1 days, longest 1, 16 days remaining" in desc
    day_four = root.find(".//s:g[@data-day='2026-11-04']", NS)
    assert day_four.findall("s:circle", NS), "a late check-in has its dot"
