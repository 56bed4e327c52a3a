from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# A box around Greater London, generous by a few hundred metres. The directory covers London only,
# so a centre point or clinic outside it is a typing mistake (often latitude and longitude swapped).
LONDON_LATITUDE = (51.28, 51.70)
LONDON_LONGITUDE = (-0.52, 0.34)

# Great Britain and Northern Ireland, for outward codes loaded from the national postcode directory.
UK_LATITUDE = (49.8, 60.9)
UK_LONGITUDE = (-8.7, 1.8)

# \A and \Z rather than ^ and $: see NORMALISED_POSTCODE_REGEX.
HCPC_NUMBER_REGEX = r"\APH[0-9]{1,6}\Z"

validate_hcpc_number = RegexValidator(
    HCPC_NUMBER_REGEX,
    message="An HCPC physiotherapist number is PH followed by up to six digits, such as PH123456.",
    code="invalid_hcpc_number",
)


def normalise_hcpc_number(value):
    """'ph 123456 ' -> 'PH123456': as staff type it, as it is stored and looked up."""
    return (value or "").strip().upper().replace(" ", "")


def validate_london_latitude(value):
    _validate_in_london("Latitude", value, LONDON_LATITUDE)


def validate_london_longitude(value):
    _validate_in_london("Longitude", value, LONDON_LONGITUDE)


def _validate_in_london(what, value, bounds):
    low, high = bounds
    if value is not None and not low <= value <= high:
        raise ValidationError(
            f"{what} {value} is outside Greater London ({low} to {high}).", code="outside_london"
        )
