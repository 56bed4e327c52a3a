"""Make the borough outlines the site draws its maps on, from the ONS local authority
districts as TopoJSON (martinjc/UK-GeoJSON, json/administrative/gb/topo_lad.json).

Run once, when the source changes; the result is committed (clinics/geodata/). TopoJSON keeps
each stretch of boundary once, shared by the two districts on either side, so each stretch is
simplified once (Douglas-Peucker, endpoints kept) and neighbouring boroughs still meet exactly.
"""

import itertools
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinics.maps import GEODATA, douglas_peucker

LONDON_CODES = {f"E09{n:06d}" for n in range(1, 34)}  # the 32 boroughs and the City
SOURCE = (
    "Office for National Statistics, local authority districts (December 2013), "
    "as TopoJSON in github.com/martinjc/UK-GeoJSON (json/administrative/gb/topo_lad.json)"
)
LICENCE = (
    "Contains Ordnance Survey data © Crown copyright and database right 2014, under the Open "
    "Government Licence (formerly the OS OpenData Licence). Conversion to TopoJSON by Martin "
    "Chorley, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."
)


def decode_arcs(topology):
    """Each arc as a list of (longitude, latitude), undoing TopoJSON's quantisation."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([tuple(point[:2]) for point in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_from(arc_indexes, arcs):
    """A closed ring joined from arcs; ~i (a negative index) is arc i reversed."""
    ring = []
    for index in arc_indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def ring_area(ring):
    """Signed area in square degrees (the shoelace formula): for choosing the main ring."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def centroid(ring):
    area = ring_area(ring)
    if not area:
        return ring[0]
    pairs = list(itertools.pairwise(ring))
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs) / (6 * area)
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs) / (6 * area)
    return cx, cy


class Command(BaseCommand):
    help = (
        "Simplify London's borough outlines from the ONS local authority districts (TopoJSON) "
        "into clinics/geodata/london-boroughs.json, which the site's maps are drawn on."
    )

    def add_arguments(self, parser):
        parser.add_argument("topojson", type=Path, help="topo_lad.json from martinjc/UK-GeoJSON")
        parser.add_argument(
            "--tolerance",
            type=float,
            default=60,
            help="Metres a boundary may move when simplified (default 60: a pixel or less on "
            "the site's maps).",
        )
        parser.add_argument("--output", type=Path, default=GEODATA)

    def handle(self, *args, topojson, tolerance, output, **options):
        try:
            topology = json.loads(topojson.read_text())
            (collection,) = topology["objects"].values()
            districts = collection["geometries"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"{topojson} is not a TopoJSON file of districts: {error}") from None
        london = [d for d in districts if d.get("id") in LONDON_CODES]
        if {d["id"] for d in london} != LONDON_CODES:
            missing = sorted(LONDON_CODES - {d["id"] for d in london})
            raise CommandError(f"These London districts are missing: {', '.join(missing)}")

        arcs = decode_arcs(topology)
        used = {i if i >= 0 else ~i for d in london for ring in self.rings(d) for i in ring}
        simplified = {i: douglas_peucker(arcs[i], tolerance) for i in used}
        boroughs, points_before, points_after = [], 0, 0
        for district in sorted(london, key=lambda d: d["id"]):
            rings = []
            for arc_indexes in self.rings(district):
                ring = ring_from(arc_indexes, simplified)
                points_before += len(ring_from(arc_indexes, arcs))
                if len(ring) >= 4:  # a stretch of boundary simplified away to a sliver
                    rings.append([[round(lng, 5), round(lat, 5)] for lng, lat in ring])
                    points_after += len(ring)
            largest = max(rings, key=lambda ring: abs(ring_area(ring)))
            label = centroid(largest)
            boroughs.append(
                {
                    "code": district["id"],
                    "name": district["properties"]["LAD13NM"],
                    "label": [round(label[0], 5), round(label[1], 5)],
                    "rings": rings,
                }
            )
        output.write_text(
            json.dumps(
                {"source": SOURCE, "licence": LICENCE, "boroughs": boroughs},
                separators=(",", ":"),
            )
            + "\n"
        )
        self.stdout.write(
            f"{len(boroughs)} boroughs, {points_before} points simplified to {points_after} "
            f"(tolerance {tolerance:g} m), written to {output}"
        )

    @staticmethod
    def rings(district):
        """The arc lists of every ring of a Polygon or MultiPolygon."""
        if district["type"] == "Polygon":
            return district["arcs"]
        if district["type"] == "MultiPolygon":
            return [ring for polygon in district["arcs"] for ring in polygon]
        return []
