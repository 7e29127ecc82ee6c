"""Charts drawn on the server as SVG (pygal) and put inline in the page: no script, no image to
load. The page's Content-Security-Policy allows styles from our stylesheet only, so the
chart's own <style> and <script> are taken out and style.css colours it (`svg.chart`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import pygal
from lxml import etree
from pygal.style import Style

__all__ = ["bar_chart"]


def bar_chart(days: Sequence[tuple[date, int]], title: str, *, label_every: int = 7) -> str:
    """Stories per day as bars, an SVG element with `title` as its accessible name; every
    `label_every`th day is labelled, counting back from the last."""
    chart = pygal.Bar(
        css=[],
        js=[],
        disable_xml_declaration=True,
        no_prefix=True,
        show_legend=False,
        width=800,
        height=220,
        margin=8,
        spacing=4,
        show_minor_x_labels=False,
        truncate_label=-1,
        # Room for the labels as a phone shows them (style.css enlarges them there).
        style=Style(label_font_size=20, major_label_font_size=20),
    )
    top = max([n for _, n in days] + [1])
    step = max(1, math.ceil(top / 4))
    chart.y_labels = list(range(0, top + step, step))  # stories: whole numbers
    chart.x_labels = [d.strftime("%d %b") for d, _ in days]
    last = len(days) - 1
    chart.x_labels_major = [
        d.strftime("%d %b") for i, (d, _) in enumerate(days) if (last - i) % label_every == 0
    ]
    chart.add("stories", [n for _, n in days])
    root = chart.render_tree()
    for element in list(root.iter("style", "script", "desc", etree.Comment)):
        element.getparent().remove(element)
    for element in list(root.iter()):
        if "tooltip-overlay" in (element.get("class") or ""):
            element.getparent().remove(element)
        elif element.get("style") is not None:
            del element.attrib["style"]
    bars = [g for g in root.iter("g") if g.get("class") == "bar"]
    for bar, (day, n) in zip(bars, days, strict=False):  # a tooltip without a script
        etree.SubElement(bar, "title").text = f"{day.isoformat()}: {n} stor{'y' if n == 1 else 'ies'}"
    root.attrib.pop("id", None)
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-label", title)
    heading = root.find("title")
    if heading is not None:
        heading.text = title
    return str(etree.tostring(root, encoding="unicode"))
