"""Maps the site draws itself: the shipped outlines, the command that made them, and SVG maps
that show the clinics listed, say so in words, and send nothing to anyone else."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinics import maps
from tests.factories import make_clinic, make_neighbourhood, make_offer, make_treatment

VIEWBOX = re.compile(r'viewBox="(-?\d+) (-?\d+) (\d+) (\d+)"')
MARKER = re.compile(
    r'<g class="map-marker" data-clinic="([^"]*)"><circle cx="(-?\d+)" cy="(-?\d+)"'
)


def test_the_outlines_are_london_with_their_source_and_licence():
    data = json.loads(maps.GEODATA.read_text())
    assert [b["code"] for b in data["boroughs"]] == [f"E09{n:06d}" for n in range(1, 34)]
    assert "Office for National Statistics" in data["source"]
    assert "Crown copyright" in data["licence"] and "Open Government Licence" in data["licence"]
    readme = (maps.GEODATA.parent / "README.md").read_text()
    assert "martinjc/UK-GeoJSON" in readme and "Crown copyright" in readme


def topology(tmp_path, geometries):
    """Two squares sharing their middle edge (arc 1), quantised as TopoJSON is; arc 0 has a
    point on the straight line that simplifying must drop."""
    data = {
        "type": "Topology",
        "transform": {"scale": [0.001, 0.001], "translate": [-0.2, 51.4]},
        "arcs": [
            [[100, 0], [-50, 0], [-50, 0], [0, 100], [100, 0]],  # west square's outside
            [[100, 100], [0, -100]],  # the shared edge, north to south
            [[100, 0], [100, 0], [0, 100], [-100, 0]],  # east square's outside
        ],
        "objects": {"lad": {"type": "GeometryCollection", "geometries": geometries}},
    }
    path = tmp_path / "topo.json"
    path.write_text(json.dumps(data))
    return path


def district(code, arcs, name="Somewhere"):
    return {"type": "Polygon", "id": code, "arcs": arcs, "properties": {"LAD13NM": name}}


def test_simplify_boroughs_keeps_london_and_shared_borders_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "clinics.management.commands.simplify_boroughs.LONDON_CODES", {"E09000001", "E09000002"}
    )
    source = topology(
        tmp_path,
        [
            district("E09000001", [[0, 1]], "West"),
            district("E09000002", [[2, ~1]], "East"),
            district("E06000001", [[2, ~1]], "Not London"),
        ],
    )
    output = tmp_path / "out.json"
    out = StringIO()
    call_command("simplify_boroughs", source, output=output, tolerance=10, stdout=out)
    assert "2 boroughs" in out.getvalue()
    boroughs = {b["name"]: b for b in json.loads(output.read_text())["boroughs"]}
    assert set(boroughs) == {"West", "East"}
    west, east = boroughs["West"]["rings"][0], boroughs["East"]["rings"][0]
    assert [-0.15, 51.4] not in west  # the point on a straight line is gone
    assert west[0] == west[-1] and len(west) == 5
    shared = {(-0.1, 51.4), (-0.1, 51.5)}
    assert shared <= {tuple(p) for p in west} and shared <= {tuple(p) for p in east}


def test_simplify_boroughs_says_what_is_missing(tmp_path):
    source = topology(tmp_path, [district("E09000001", [[0, 1]])])
    with pytest.raises(CommandError, match="E09000002"):
        call_command("simplify_boroughs", source, output=tmp_path / "out.json")
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(CommandError, match="not a TopoJSON"):
        call_command("simplify_boroughs", tmp_path / "bad.json", output=tmp_path / "out.json")


def markers_of(svg):
    return [(key, int(x), int(y)) for key, x, y in MARKER.findall(svg)]


def test_a_map_fits_its_markers_names_them_and_calls_nobody():
    places = [
        maps.Marker(51.4622, -0.1381, "1", "1: Alder, Clapham", "alder"),
        maps.Marker(51.4622, -0.1381, "2", "2: Birch, Clapham", "birch"),  # same spot
        maps.Marker(51.4613, -0.1156, "3", "3: Cedar, Brixton", "cedar"),
    ]
    svg = str(
        maps.draw(places, title="Map of 3 clinics", description="1: Alder; 2: Birch", map_id="m")
    )
    x, y, width, height = map(int, VIEWBOX.search(svg).groups())
    found = markers_of(svg)
    assert [key for key, *_ in found] == ["alder", "birch", "cedar"]
    radius = width * maps.MARKER_SHARE
    for _, cx, cy in found:
        assert x < cx < x + width and y < cy < y + height
    (_, ax, ay), (_, bx, by) = found[:2]
    assert ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 >= 2 * radius  # both numbers readable
    assert 'role="img"' in svg and 'aria-labelledby="m-title m-desc"' in svg
    assert '<title id="m-title">Map of 3 clinics</title>' in svg
    assert "Lambeth" in svg  # borough names for orientation
    assert re.findall(r"https?://", svg) == ["http://"]  # only the SVG namespace
    assert "<script" not in svg and "href" not in svg


def test_a_map_without_markers_shows_all_of_london_with_fewer_points():
    whole = str(maps.draw([], title="London", description="London", map_id="m"))
    assert whole.count("<path") == 33
    assert len(whole) < 12_000
    near = str(
        maps.draw([maps.Marker(51.4622, -0.1381, "", "x")], title="t", description="d", map_id="m")
    )
    assert near.count("<path") < 10


def test_text_in_a_map_is_escaped():
    svg = str(
        maps.draw(
            [maps.Marker(51.5, -0.12, "<b>", "x", key='"><script>')],
            title="<script>alert(1)</script>",
            description="&",
            map_id="m",
        )
    )
    assert "<script" not in svg and "&lt;script&gt;" in svg


@pytest.mark.django_db
def test_the_search_map_shows_the_clinics_of_the_list_in_its_order(client):
    treatment = make_treatment(slug="dry-needling")
    area = make_neighbourhood(slug="clapham", name="Clapham")
    for n, (lat, lng) in enumerate([(51.4622, -0.1381), (51.47, -0.12), (51.45, -0.15)]):
        clinic = make_clinic(
            area=area, slug=f"c{n}", name=f"Clinic {n}", latitude=lat, longitude=lng
        )
        make_offer(clinic, treatment)
    response = client.get("/search/?treatment=dry-needling&area=clapham&sort=name")
    page = response.content.decode()
    listed = [clinic.slug for clinic in response.context["page"]]
    assert listed == ["c0", "c1", "c2"]
    start = page.index('<svg class="site-map"')
    svg = page[start : page.index("</svg>", start)]
    assert [key for key, *_ in markers_of(svg)] == listed
    assert "1: Clinic 0, Clapham; 2: Clinic 1, Clapham; 3: Clinic 2, Clapham" in svg
    cards = re.findall(r'<article class="card result-card[^"]*" id="clinic-([^"]+)"', page)
    assert cards == listed


@pytest.mark.django_db
def test_the_clinic_page_map_shows_the_clinic_and_says_where_it_is(client):
    clinic = make_clinic(name="Alder Physio", nearest_station="Clapham North")
    page = client.get(clinic.get_absolute_url()).content.decode()
    svg = page[page.index('<svg class="site-map"') :]
    assert [key for key, *_ in markers_of(svg)] == [clinic.slug]
    assert f"Alder Physio is at {clinic.address_line1}, London, SW4 7AA" in svg
    assert "near Clapham North station" in svg
    assert "contains OS data © Crown copyright" in page
