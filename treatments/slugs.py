"""Slugs and anchors kept unique in their place: 'cost', then 'cost-2', 'cost-3'. Said once,
here in the lowest layer, for guide sections' anchors, clinics' and practitioners' addresses
and the demo's practitioners."""


def first_free(base, taken):
    """`base` if `taken` does not hold it, else the first of 'base-2', 'base-3'... it does not."""
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
