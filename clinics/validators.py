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


def validate_london_latitude(value):
    low, high = LONDON_LATITUDE
    if value is not None and not low <= value <= high:
        raise ValidationError(
            f"Latitude {value} is outside Greater London ({low} to {high}).",
            code="outside_london",
        )


def validate_london_longitude(value):
    low, high = LONDON_LONGITUDE
    if value is not None and not low <= value <= high:
        raise ValidationError(
            f"Longitude {value} is outside Greater London ({low} to {high}).",
            code="outside_london",
        )
