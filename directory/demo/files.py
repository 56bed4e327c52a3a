"""The demo's content, read from its data files (see README.md beside them).

Areas, outward codes, insurers, languages, price bands and conditions are CSV files in
`data/`; each guide is a folder of Markdown files in `guides/`, in the format `import_guide`
reads (treatments/guide_files.py). Rows keep the files' order, which the listings generator
relies on to place clinics the same way on every run.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from treatments.guide_files import read_guide

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GUIDES = HERE / "guides"


def rows(name):
    with (DATA / name).open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _pence(value):
    return int(value) if value else None


def insurers():
    return rows("insurers.csv")


def languages():
    return rows("languages.csv")


def price_bands():
    return [
        {**row, "min_pence": _pence(row["min_pence"]), "max_pence": _pence(row["max_pence"])}
        for row in rows("price_bands.csv")
    ]


def conditions():
    return rows("conditions.csv")


@dataclass
class Areas:
    """London's areas: each a dict of name, slug, parent (a slug), centre (latitude,
    longitude) and postcodes (the outward codes listed under it, in file order)."""

    regions: list[dict]
    boroughs: list[dict]
    neighbourhoods: list[dict]
    outward_codes: dict  # code: (latitude, longitude)


def areas():
    by_kind = {"region": [], "borough": [], "neighbourhood": []}
    by_slug = {}
    for row in rows("areas.csv"):
        area = {
            "name": row["name"],
            "slug": row["slug"],
            "parent": row["parent"] or None,
            "centre": (float(row["latitude"]), float(row["longitude"])),
            "postcodes": [],
        }
        by_kind[row["kind"]].append(area)
        by_slug[area["slug"]] = area
    outward_codes = {}
    for row in rows("outward_codes.csv"):
        by_slug[row["area"]]["postcodes"].append(row["code"])
        outward_codes[row["code"]] = (float(row["latitude"]), float(row["longitude"]))
    return Areas(by_kind["region"], by_kind["borough"], by_kind["neighbourhood"], outward_codes)


def guides():
    """Every demo guide (a GuideSource each), in the order of their folders' names."""
    return [read_guide(folder) for folder in sorted(GUIDES.iterdir()) if folder.is_dir()]
