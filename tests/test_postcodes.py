import string

import pytest
from django.core.exceptions import ValidationError

from clinics.postcodes import normalise_outward_code, normalise_postcode, outward_code_of

POSTCODE_MESSAGE = "Enter a full UK postcode, such as SW4 7AA."
OUTWARD_CODE_MESSAGE = "Enter a postcode district such as SW4 or EC2A."


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("sw47aa", "SW4 7AA"),
        ("SW4 7AA", "SW4 7AA"),
        (" sw4  7aa ", "SW4 7AA"),
        ("sw4\t7aa\n", "SW4 7AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("ec1a1bb", "EC1A 1BB"),
        ("W1U 6TQ", "W1U 6TQ"),
        ("SW19 5AE", "SW19 5AE"),
        ("CR0 2RH", "CR0 2RH"),
        # The inward code is always three characters, so a squashed postcode splits one way only.
        ("E11AA", "E1 1AA"),
        ("E111AA", "E11 1AA"),
    ],
)
def test_a_full_postcode_is_normalised_to_the_royal_mail_form(typed, normalised):
    assert normalise_postcode(typed) == normalised


@pytest.mark.parametrize(
    "typed",
    ["SW4", "ABC 123", "", "   ", None, "12345", "SW4 7A", "SW4 7AAA", "4SW 7AA", "SW4 AAA"],
)
def test_anything_but_a_full_postcode_is_refused_with_a_clear_message(typed):
    with pytest.raises(ValidationError) as excinfo:
        normalise_postcode(typed)
    assert excinfo.value.messages == [POSTCODE_MESSAGE]


@pytest.mark.parametrize("letter", list("CIKMOV"))
@pytest.mark.parametrize("inward", ["7A{}", "7{}A"])
def test_the_inward_code_never_uses_c_i_k_m_o_or_v_in_its_letters(inward, letter):
    with pytest.raises(ValidationError, match="Enter a full UK postcode"):
        normalise_postcode(f"SW4 {inward.format(letter)}")


@pytest.mark.parametrize("letter", sorted(set(string.ascii_uppercase) - set("CIKMOV")))
def test_every_other_letter_is_accepted_in_the_inward_code(letter):
    assert normalise_postcode(f"sw4 7{letter}{letter}".lower()) == f"SW4 7{letter}{letter}"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("sw4", "SW4"), ("EC2A", "EC2A"), (" ec2a ", "EC2A"), ("W1", "W1"), ("sw19", "SW19")],
)
def test_an_outward_code_is_normalised(typed, normalised):
    assert normalise_outward_code(typed) == normalised


@pytest.mark.parametrize("typed", ["SW4 7AA", "sw47aa", "4SW", "SW", "", None, "SW4AA"])
def test_anything_but_an_outward_code_is_refused_as_a_district(typed):
    with pytest.raises(ValidationError) as excinfo:
        normalise_outward_code(typed)
    assert excinfo.value.messages == [OUTWARD_CODE_MESSAGE]


@pytest.mark.parametrize("typed", ["E1 4", "SW4 7"])
def test_a_district_with_the_start_of_an_inward_code_is_not_read_as_another_district(typed):
    # A patient typing half a postcode ("E1 4", Whitechapel) must not be sent to E14 (Canary Wharf).
    with pytest.raises(ValidationError):
        normalise_outward_code(typed)


@pytest.mark.parametrize(
    ("postcode", "outward_code"),
    [("SW4 7AA", "SW4"), ("sw47aa", "SW4"), ("EC1A 1BB", "EC1A"), ("SW19 5AE", "SW19")],
)
def test_outward_code_of_a_postcode_is_its_district(postcode, outward_code):
    assert outward_code_of(postcode) == outward_code


def test_outward_code_of_refuses_a_district_on_its_own():
    with pytest.raises(ValidationError) as excinfo:
        outward_code_of("SW4")
    assert excinfo.value.messages == [POSTCODE_MESSAGE]
