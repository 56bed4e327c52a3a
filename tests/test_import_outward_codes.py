import pytest
from django.core.management import CommandError, call_command

from clinics.models import OutwardCode
from tests.factories import make_borough

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, text):
    path = tmp_path / "outward_codes.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_it_creates_and_updates_codes_keeping_their_area(tmp_path, capsys):
    lambeth = make_borough()
    OutwardCode.objects.create(code="SW4", area=lambeth, latitude=51.46, longitude=-0.14)
    path = write_csv(tmp_path, "outcode,latitude,longitude\nsw4,51.4622,-0.1381\nGU1,51.24,-0.57\n")
    call_command("import_outward_codes", path)
    assert "1 outward codes created, 1 updated." in capsys.readouterr().out
    sw4 = OutwardCode.objects.get(code="SW4")
    assert (sw4.latitude, sw4.longitude, sw4.area) == (51.4622, -0.1381, lambeth)
    # Outside London: kept so the search can say "we cover London", with no area.
    assert OutwardCode.objects.get(code="GU1").area is None


def test_running_it_twice_changes_nothing(tmp_path, capsys):
    path = write_csv(tmp_path, "SW4,51.4622,-0.1381\n")
    call_command("import_outward_codes", path)
    call_command("import_outward_codes", path)
    assert OutwardCode.objects.count() == 1
    assert "0 outward codes created, 1 updated." in capsys.readouterr().out


@pytest.mark.parametrize(
    "bad_row", ["SW4 7AA,51.46,-0.13", "SW4,north,-0.13", "SW4,51.46", "SW4,-0.13,51.46"]
)
def test_a_bad_row_stops_the_import_and_names_its_line(tmp_path, bad_row):
    path = write_csv(tmp_path, f"E1,51.517,-0.06\n{bad_row}\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command("import_outward_codes", path)
    assert not OutwardCode.objects.exists()


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_outward_codes", str(tmp_path / "nope.csv"))
