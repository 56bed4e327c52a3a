"""Distances in London, said once: an equirectangular approximation, within a few metres of the
great-circle distance at the scale of a city, and cheap enough to work out for every clinic at
once (it takes floats or NumPy arrays)."""

import math

import numpy as np

MILES_PER_DEGREE_LATITUDE = 69.05


def miles_between(latitude, longitude, other_latitude, other_longitude):
    """Miles from a point to another, or to arrays of them."""
    north = (np.asarray(other_latitude) - latitude) * MILES_PER_DEGREE_LATITUDE
    east = (
        (np.asarray(other_longitude) - longitude)
        * MILES_PER_DEGREE_LATITUDE
        * math.cos(math.radians(latitude))
    )
    return np.sqrt(north * north + east * east)
