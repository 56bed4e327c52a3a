"""Maps the site draws itself: SVG, made on the server, over London's borough outlines.

No tile server or map script sees what a patient searched for (where they live, what hurts):
the map is part of the page, needs no JavaScript to be seen, and says in words what it shows.
The outlines (clinics/geodata/london-boroughs.json, made by `manage.py simplify_boroughs`) are
projected once into 10-metre units around Charing Cross; a map is a view box over them.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import format_html, format_html_join

GEODATA = Path(__file__).resolve().parent / "geodata" / "london-boroughs.json"
METRES_PER_DEGREE = 111_320
ORIGIN_LATITUDE, ORIGIN_LONGITUDE = 51.5072, -0.1276
UNIT_METRES = 10  # map units: coordinates are whole numbers of these
SCALE_X = math.cos(math.radians(ORIGIN_LATITUDE)) * METRES_PER_DEGREE / UNIT_METRES
SCALE_Y = METRES_PER_DEGREE / UNIT_METRES
# Outlines for a view wider than this are drawn with fewer points: nobody sees the difference
# at that scale, and the page is smaller.
DETAILED_UP_TO_METRES = 15_000
COARSE_TOLERANCE_METRES = 200
LABELS_UP_TO_METRES = 25_000
ASPECT = 4 / 3
MARKER_SHARE = 0.034  # a marker's radius, as a share of the map's width


def project(latitude, longitude):
    """(x, y) in map units: east and south of the origin."""
    return (longitude - ORIGIN_LONGITUDE) * SCALE_X, (ORIGIN_LATITUDE - latitude) * SCALE_Y


def douglas_peucker(points, tolerance_metres):
    """`points` (longitude, latitude) less every point closer than the tolerance to the line
    between the neighbours kept around it; the ends always stay."""
    if len(points) < 3:
        return list(points)
    squash = math.cos(math.radians(points[0][1]))
    flat = [(lng * squash * METRES_PER_DEGREE, lat * METRES_PER_DEGREE) for lng, lat in points]
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = flat[first], flat[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = None, tolerance_metres
        for i in range(first + 1, last):
            px, py = flat[i]
            if length:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                d = math.hypot(px - ax, py - ay)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep.add(farthest)
            stack += [(first, farthest), (farthest, last)]
    return [points[i] for i in sorted(keep)]


@dataclass(frozen=True)
class Borough:
    name: str
    label: tuple  # (x, y) where its name goes
    box: tuple  # (min x, min y, max x, max y)
    detailed: str  # SVG path data
    coarse: str
    rings: tuple  # projected, for placing labels on part of the borough

    def label_in(self, box, min_share=0.06):
        """(area, where) to write the name on a map showing `box`: the centre of the largest
        part of the borough inside it; None if no part is big enough to hold a name."""
        left, top, right, bottom = box
        best_area, best_centre = 0.0, None
        for ring in self.rings:
            area, centre = _area_and_centre(_clip(list(ring), box))
            if area > best_area:
                best_area, best_centre = area, centre
        if best_area < (right - left) * (bottom - top) * min_share:
            return None
        if left <= self.label[0] <= right and top <= self.label[1] <= bottom:
            best_centre = self.label  # the whole borough's centre, when it is on the map
        return best_area, best_centre


def _path(rings):
    """SVG path data for rings of (longitude, latitude): whole map units, relative moves."""
    parts = []
    for ring in rings:
        points = [tuple(round(v) for v in project(lat, lng)) for lng, lat in ring]
        x, y = points[0]
        moves = [f"M{x} {y}"]
        for px, py in points[1:]:
            if (px, py) != (x, y):
                moves.append(f"{px - x} {py - y}")
                x, y = px, py
        parts.append(moves[0] + ("l" + " ".join(moves[1:]) if len(moves) > 1 else "") + "z")
    return "".join(parts)


@cache
def boroughs():
    data = json.loads(GEODATA.read_text())
    found = []
    for borough in data["boroughs"]:
        rings = borough["rings"]
        xs, ys = zip(*(project(lat, lng) for ring in rings for lng, lat in ring), strict=True)
        coarse = [douglas_peucker(ring, COARSE_TOLERANCE_METRES) for ring in rings]
        found.append(
            Borough(
                name=borough["name"],
                label=project(borough["label"][1], borough["label"][0]),
                box=(min(xs), min(ys), max(xs), max(ys)),
                detailed=_path(rings),
                coarse=_path([ring for ring in coarse if len(ring) >= 4]),
                rings=tuple(
                    tuple(project(lat, lng) for lng, lat in ring)
                    for ring in coarse
                    if len(ring) >= 4
                ),
            )
        )
    return found


@cache
def london_box():
    boxes = [b.box for b in boroughs()]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@dataclass
class Marker:
    latitude: float
    longitude: float
    label: str  # what the marker shows: a number, or empty for a plain pin
    name: str  # what it is, for the text alternative
    key: str = ""  # the clinic's slug, so a test (or a reader of the source) can match it


def view_box(points, min_span_metres):
    """(x, y, width, height) around the projected points, at least min_span_metres wide, in
    the map's aspect ratio, with a margin; all of London without points."""
    if not points:
        min_x, min_y, max_x, max_y = london_box()
    else:
        xs, ys = zip(*points, strict=True)
        min_x, min_y, max_x, max_y = min(xs), min(ys), max(xs), max(ys)
    span = min_span_metres / UNIT_METRES
    # Room around the points for the markers drawn on them (MARKER_SHARE of the width each).
    margin = 1 + 5 * MARKER_SHARE
    width = max(max_x - min_x, span) * margin
    height = max(max_y - min_y, span / ASPECT) * margin
    width, height = max(width, height * ASPECT), max(height, width / ASPECT)
    centre_x, centre_y = (min_x + max_x) / 2, (min_y + max_y) / 2
    return centre_x - width / 2, centre_y - height / 2, width, height


def _spread(points, radius, fixed=()):
    """Markers moved apart just enough that none hides another's number (nor a `fixed`
    point, such as the centre searched from): clinics in one building, or placed at their
    district's centre, would otherwise sit on top of each other. Each keeps a dot at its
    true place."""
    placed = [list(point) for point in points]
    obstacles = [list(point) for point in fixed]
    gap = radius * 2.1
    for _ in range(40):
        moved = False
        for i, a in enumerate(placed):
            for point in obstacles:
                dx, dy = a[0] - point[0], a[1] - point[1]
                distance = math.hypot(dx, dy) or 1e-6
                if distance < gap * 0.75:
                    push = (gap * 0.75 - distance) / distance
                    a[0], a[1] = a[0] + (dx or 1e-6) * push, a[1] + dy * push
                    moved = True
            for j in range(i + 1, len(placed)):
                b = placed[j]
                dx, dy = b[0] - a[0], b[1] - a[1]
                distance = math.hypot(dx, dy)
                if distance >= gap:
                    continue
                if distance < 1e-6:  # the same spot: part them in a direction of their own
                    angle = 2.399963 * j  # the golden angle spreads many evenly
                    dx, dy, distance = math.cos(angle), math.sin(angle), 1.0
                push = (gap - distance) / 2 / distance
                a[0], a[1] = a[0] - dx * push, a[1] - dy * push
                b[0], b[1] = b[0] + dx * push, b[1] + dy * push
                moved = True
        if not moved:
            break
    return [tuple(point) for point in placed]


def _clip(ring, box):
    """The part of a polygon inside a rectangle (Sutherland-Hodgman), for placing a label
    in the part of a borough the map shows."""
    left, top, right, bottom = box
    edges = [
        (lambda p: p[0] >= left, lambda p, q: _cross_x(p, q, left)),
        (lambda p: p[0] <= right, lambda p, q: _cross_x(p, q, right)),
        (lambda p: p[1] >= top, lambda p, q: _cross_y(p, q, top)),
        (lambda p: p[1] <= bottom, lambda p, q: _cross_y(p, q, bottom)),
    ]
    for inside, cross in edges:
        points, ring = ring, []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    ring.append(cross(previous, current))
                ring.append(current)
            elif inside(previous):
                ring.append(cross(previous, current))
        if not ring:
            break
    return ring


def _cross_x(p, q, x):
    return x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0])


def _cross_y(p, q, y):
    return p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y


def _area_and_centre(ring):
    """Area and centroid of a polygon (shoelace)."""
    twice_area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        step = x1 * y2 - x2 * y1
        twice_area += step
        cx += (x1 + x2) * step
        cy += (y1 + y2) * step
    if not twice_area:
        return 0.0, None
    return abs(twice_area) / 2, (cx / (3 * twice_area), cy / (3 * twice_area))


def draw(markers, *, title, description, map_id, centre=None, centre_label="", min_span=3000):
    """An SVG map (safe HTML) of `markers` over the borough outlines, zoomed to fit them and
    `centre` (a (latitude, longitude) searched from). Labelled by `title` and `description`,
    which should say in words what the map shows."""
    projected = [project(m.latitude, m.longitude) for m in markers]
    centre_point = project(*centre) if centre else None
    x, y, width, height = view_box(projected + ([centre_point] if centre_point else []), min_span)
    metres_across = width * UNIT_METRES
    detailed = metres_across <= DETAILED_UP_TO_METRES
    radius = width * MARKER_SHARE
    visible = [
        b
        for b in boroughs()
        if b.box[0] < x + width and b.box[2] > x and b.box[1] < y + height and b.box[3] > y
    ]
    paths = format_html_join(
        "", '<path d="{}"/>', ((b.detailed if detailed else b.coarse,) for b in visible)
    )
    labels = ""
    if metres_across <= LABELS_UP_TO_METRES:
        font = width / 30
        inner = (x + font, y + font, x + width - font, y + height - font * 0.5)
        spots = sorted(
            ((found, borough) for borough in visible if (found := borough.label_in(inner))),
            key=lambda item: -item[0][0],
        )
        placed, taken = [], []
        for (_, spot), borough in spots:
            half = len(borough.name) * font * 0.3  # about half the name's width
            # Kept whole inside the map, however near the edge the borough's centre is.
            lx = min(max(spot[0], x + half + font * 0.3), x + width - half - font * 0.3)
            box = (lx - half, spot[1] - font, lx + half, spot[1] + font * 0.3)
            if any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken
            ):
                continue  # a bigger neighbour's name is there already
            taken.append(box)
            placed.append((*_whole(lx, spot[1]), borough.name))
        labels = format_html(
            '<g class="map-labels" font-size="{}" stroke-width="{}">{}</g>',
            round(font),
            round(font / 4),
            format_html_join("", '<text x="{}" y="{}" text-anchor="middle">{}</text>', placed),
        )
    centre_mark = ""
    if centre_point:
        size = radius * 0.8
        centre_mark = format_html(
            '<g class="map-centre" stroke-width="{}"><rect x="{}" y="{}" width="{}" height="{}" '
            'transform="rotate(45 {} {})"/><text x="{}" y="{}" '
            'font-size="{}">{}</text></g>',
            *_whole(
                radius / 3,
                centre_point[0] - size / 2,
                centre_point[1] - size / 2,
                size,
                size,
                *centre_point,
                centre_point[0] + size,
                centre_point[1] - size,
                radius * 1.1,
            ),
            centre_label,
        )
    pins = format_html_join(
        "",
        '<g class="map-marker" data-clinic="{}"><circle cx="{}" cy="{}" r="{}"/>'
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle">{}</text></g>',
        (
            (m.key, *_whole(px, py, radius, px, py + radius * 0.4, radius * 1.15), m.label)
            for m, (px, py) in zip(
                markers,
                _spread(projected, radius, [centre_point] if centre_point else []),
                strict=True,
            )
        ),
    )
    # The true spot of every marker moved aside, so the ring still points at its building.
    dots = format_html_join(
        "",
        '<circle class="map-spot" cx="{}" cy="{}" r="{}"/>',
        (_whole(px, py, radius * 0.25) for px, py in projected),
    )
    return format_html(
        '<svg class="site-map" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="{} {} {} {}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMidYMid meet">'
        '<title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>'
        '<rect class="map-ground" x="{}" y="{}" width="{}" height="{}"/>'
        '<g class="map-boroughs">{}</g>{}<g class="map-markers">{}{}</g>{}</svg>',
        *_whole(x, y, width, height),
        title,
        description,
        *_whole(x, y, width, height),
        paths,
        labels,
        dots,
        pins,
        centre_mark,
        id=map_id,
    )


def _whole(*numbers):
    """Map units as whole numbers: a tenth of a pixel or less on any map the site draws."""
    return tuple(round(n) for n in numbers)
