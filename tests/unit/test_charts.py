"""The check-in chart (counsel/charts.py): well-formed SVG with a title and description, one
line and one set of markers per scale told apart without colour, values placed right on a
0-10 axis, no script, and calm with no data or one point."""

import xml.etree.ElementTree as ET
from datetime import date
from types import SimpleNamespace

from counsel import charts

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
