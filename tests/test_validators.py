import pytest
from django.core.exceptions import ValidationError

from clinics.validators import (
    validate_hcpc_number,
    validate_london_latitude,
    validate_london_longitude,
)

HCPC_MESSAGE = (
    "An HCPC physiotherapist number is PH followed by up to six digits, such as PH123456."
)


@pytest.mark.parametrize("number", ["PH123456", "PH1", "PH000042"])
def test_a_physiotherapist_hcpc_number_is_accepted(number):
    validate_hcpc_number(number)


@pytest.mark.parametrize(
    "number", ["PH1234567", "ph123", "CS123456", "PH 12", "", "PH", "PH12345A", " PH123"]
)
def test_anything_else_is_refused_as_an_hcpc_number(number):
    with pytest.raises(ValidationError) as excinfo:
        validate_hcpc_number(number)
    assert excinfo.value.messages == [HCPC_MESSAGE]
    assert excinfo.value.code == "invalid_hcpc_number"


@pytest.mark.parametrize("latitude", [51.28, 51.5072, 51.70])
def test_a_latitude_in_greater_london_is_accepted(latitude):
    validate_london_latitude(latitude)


@pytest.mark.parametrize(
    "latitude",
    [
        51.27,
        51.71,
        52.4862,  # Birmingham
        -0.1276,  # London's longitude typed as its latitude
    ],
)
def test_a_latitude_outside_greater_london_is_refused_naming_the_bounds(latitude):
    with pytest.raises(ValidationError) as excinfo:
        validate_london_latitude(latitude)
    assert excinfo.value.messages == [
        f"Latitude {latitude} is outside Greater London (51.28 to 51.7)."
    ]


@pytest.mark.parametrize("longitude", [-0.52, -0.1276, 0.34])
def test_a_longitude_in_greater_london_is_accepted(longitude):
    validate_london_longitude(longitude)


@pytest.mark.parametrize(
    "longitude",
    [
        -0.53,
        0.35,
        -1.8904,  # Birmingham
        51.5072,  # London's latitude typed as its longitude
    ],
)
def test_a_longitude_outside_greater_london_is_refused_naming_the_bounds(longitude):
    with pytest.raises(ValidationError) as excinfo:
        validate_london_longitude(longitude)
    assert excinfo.value.messages == [
        f"Longitude {longitude} is outside Greater London (-0.52 to 0.34)."
    ]
