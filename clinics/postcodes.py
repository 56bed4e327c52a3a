"""UK postcodes: recognising, normalising and splitting them.

A full postcode is an outward code (the district, "SW4") and an inward code ("7AA"). Patients
type them in every shape ("sw47aa", " SW4  7AA "), so everything is normalised to the Royal
Mail form with one space before the inward code.
"""

import contextlib
import re

from django.core.exceptions import ValidationError

# The outward code: one or two letters, a digit, then an optional digit or letter (EC1A, W1U, SW19).
OUTWARD_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
# The inward code never uses C, I, K, M, O or V in its last two letters.
INWARD_PATTERN = r"[0-9][ABD-HJLNP-UW-Z]{2}"
OUTWARD_RE = re.compile(rf"\A{OUTWARD_PATTERN}\Z")
POSTCODE_RE = re.compile(rf"\A({OUTWARD_PATTERN}) ?({INWARD_PATTERN})\Z")
# The normalised form, as stored and as checked by the database constraint. \A and \Z (not ^
# and $, which match before a final newline in Python, which runs SQLite's REGEXP) mean the
# same on both databases.
NORMALISED_POSTCODE_REGEX = rf"\A{OUTWARD_PATTERN} {INWARD_PATTERN}\Z"


def _squash(value):
    return re.sub(r"\s+", "", value or "").upper()


def normalise_postcode(value):
    """'sw47aa' -> 'SW4 7AA'. Raises ValidationError for anything that is not a full postcode."""
    squashed = _squash(value)
    match = POSTCODE_RE.match(squashed)
    if not match:
        raise ValidationError("Enter a full UK postcode, such as SW4 7AA.", code="invalid_postcode")
    return f"{match[1]} {match[2]}"


def normalise_outward_code(value):
    """'sw4' -> 'SW4'. Raises ValidationError for anything that is not an outward code.
    Inner spaces are not squashed: "E1 4" is the start of an E1 postcode, not E14."""
    squashed = (value or "").strip().upper()
    if not OUTWARD_RE.match(squashed):
        raise ValidationError(
            "Enter a postcode district such as SW4 or EC2A.", code="invalid_outward_code"
        )
    return squashed


def looks_like_postcode(text):
    """A full postcode or a district, in any case or spacing."""
    for normalise in (normalise_postcode, normalise_outward_code):
        with contextlib.suppress(ValidationError):
            normalise(text)
            return True
    return False


def outward_code_of(postcode):
    """The district part of a full postcode: 'SW4 7AA' -> 'SW4'."""
    return normalise_postcode(postcode).split(" ")[0]


def validate_postcode(value):
    normalise_postcode(value)


def validate_outward_code(value):
    normalise_outward_code(value)
