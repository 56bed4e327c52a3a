"""Search addresses as patients make them, for the cold mode of the benchmark (bench/run):
every one different, drawn afresh each run (from a seed the run prints, so that a run can be
repeated with --seed), from the national data set's own treatments, areas, districts and
the rest.

The mix: most searches name a treatment (dry needling most often); about half name an area
(a borough or a neighbourhood) and a third a postcode district (half of those sorted by
distance); then up to three more choices: an insurer, a maximum price, a price band, the
practitioner's gender or language, evenings or weekends, step-free access, video, home
visits, a condition, words (a treatment, an area or a surname, some with a typo), a sort by
price, page 2. About one in eight is a landing page (an area, a treatment in an area, a
condition) with its own choices on top.
"""

import random
import string
from urllib.parse import urlencode

# (parameter, weight) for the optional choices: how often a patient adds each.
EXTRA_CHOICES = [
    ("insurer", 14),
    ("max_price", 12),
    ("price_band", 5),
    ("gender", 8),
    ("open", 10),
    ("step_free", 6),
    ("video", 3),
    ("home_visits", 3),
    ("condition", 8),
    ("language", 4),
    ("q", 12),
    ("sort", 6),
    ("page", 9),
]


def with_typo(rng, word):
    """The word with one slip: a letter dropped, doubled, swapped with the next or changed."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    slip = rng.choice(["drop", "double", "swap", "change"])
    if slip == "drop":
        return word[:i] + word[i + 1 :]
    if slip == "double":
        return word[:i] + word[i] + word[i:]
    if slip == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]


class Drawer:
    def __init__(self, rng, data):
        self.rng, self.data = rng, data

    def pick(self, values, weights=None):
        return self.rng.choices(values, weights=weights)[0]

    def treatment(self):
        slugs = self.data["treatments"]
        weights = [6 if slug == "dry-needling" else 1 for slug in slugs]
        return self.pick(slugs, weights)

    def words(self):
        rng = self.rng
        source = rng.choice(["treatment", "area", "surname", "phrase"])
        if source == "treatment":
            text = self.pick(self.data["treatment_names"])
        elif source == "area":
            text = self.pick(self.data["area_names"])
        elif source == "surname":
            text = self.pick(self.data["surnames"])
        else:
            text = f"{self.pick(self.data['treatment_names'])} {self.pick(self.data['area_names'])}"
        words = text.lower().split()
        if rng.random() < 0.4:
            n = rng.randrange(len(words))
            words[n] = with_typo(rng, words[n])
        return " ".join(words)

    def extra(self, name, params):
        rng = self.rng
        if name == "insurer":
            return [self.pick(self.data["insurers"]) for _ in range(rng.choice([1, 1, 1, 2]))]
        if name == "max_price":
            return str(rng.choice([50, 60, 70, 75, 80, 85, 90, 100, 120]))
        if name == "price_band":
            return self.pick(self.data["price_bands"])
        if name == "gender":
            return rng.choice(["female", "female", "male", "non_binary"])
        if name == "open":
            return rng.choice([["evening"], ["weekend"], ["evening", "weekend"]])
        if name in ("step_free", "video", "home_visits"):
            return "on"
        if name == "condition":
            return self.pick(self.data["conditions"])
        if name == "language":
            return self.pick(self.data["languages"])
        if name == "q":
            return self.words()
        if name == "sort":
            return "price"
        if name == "page":
            return "2"
        raise ValueError(name)

    def search(self):
        rng = self.rng
        params = {}
        if rng.random() < 0.85:
            params["treatment"] = self.treatment()
        where = rng.random()
        if where < 0.45:
            params["area"] = self.pick(self.data["areas"])
        elif where < 0.8:
            params["postcode"] = self.pick(self.data["outward_codes"])
            if rng.random() < 0.5:
                params["sort"] = "distance"
        names = [name for name, _ in EXTRA_CHOICES]
        weights = [weight for _, weight in EXTRA_CHOICES]
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            name = self.pick(names, weights)
            if name not in params:
                params[name] = self.extra(name, params)
        return params

    def address(self):
        params = self.search()
        if self.rng.random() < 0.125:
            area = params.pop("area", None) or self.pick(self.data["areas"])
            params.pop("postcode", None)
            if params.get("sort") == "distance":
                del params["sort"]
            if treatment := params.pop("treatment", None):
                path = f"/treatments/{treatment}/{area}/"
            elif condition := params.pop("condition", None):
                path = f"/conditions/{condition}/"
            else:
                path = f"/areas/{area}/"
        else:
            path = "/search/"
        query = urlencode(params, doseq=True)
        return f"{path}?{query}" if query else path


def draw(data, count, seed):
    """`count` different addresses, drawn from the seed."""
    drawer = Drawer(random.Random(seed), data)
    found = {}
    while len(found) < count:
        address = drawer.address()
        found.setdefault(address, None)
    return list(found)


def national_data():
    """What the addresses are drawn from, read from the seeded database (Django set up)."""
    from clinics.models import Area, Insurer, Language, OutwardCode, Practitioner, PriceBand
    from treatments.models import Condition, Treatment

    return {
        "treatments": list(Treatment.objects.published().values_list("slug", flat=True)),
        "treatment_names": list(Treatment.objects.published().values_list("name", flat=True)),
        "areas": list(Area.objects.exclude(kind="region").values_list("slug", flat=True)),
        "area_names": list(Area.objects.exclude(kind="region").values_list("name", flat=True)),
        "outward_codes": list(
            OutwardCode.objects.in_london().values_list("code", flat=True).order_by("code")
        ),
        "insurers": list(Insurer.objects.values_list("slug", flat=True)),
        "price_bands": list(PriceBand.objects.values_list("slug", flat=True)),
        "conditions": list(Condition.objects.published().values_list("slug", flat=True)),
        "languages": list(Language.objects.values_list("code", flat=True)),
        "surnames": sorted(
            set(Practitioner.objects.published().values_list("last_name", flat=True)[:5000])
        ),
    }
