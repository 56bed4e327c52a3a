import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinics.models import OutwardCode
from clinics.postcodes import normalise_outward_code
from clinics.validators import UK_LATITUDE, UK_LONGITUDE


class Command(BaseCommand):
    help = (
        "Load outward-code centre points from a CSV of outward code, latitude, longitude (as "
        "derived from the ONS postcode directory). Existing codes keep their area; new ones get "
        "none until an admin assigns one. All or nothing: any bad row stops the import."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", help="CSV file: outward code, latitude, longitude.")

    def handle(self, *args, csv_path, **options):
        try:
            with open(csv_path, newline="", encoding="utf-8-sig") as f:
                rows, errors = self.read(csv.reader(f))
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_path}: {exc.strerror}") from None
        if errors:
            raise CommandError("Nothing imported:\n" + "\n".join(errors))

        created = updated = 0
        with transaction.atomic():
            for code, latitude, longitude in rows:
                _, was_created = OutwardCode.objects.update_or_create(
                    code=code, defaults={"latitude": latitude, "longitude": longitude}
                )
                created += was_created
                updated += not was_created
        self.stdout.write(f"{created} outward codes created, {updated} updated.")

    def read(self, reader):
        rows, errors = [], []
        for line, record in enumerate(reader, start=1):
            if not record or (line == 1 and not _is_number(record[1:2])):
                continue  # a blank line, or the header row
            try:
                code = normalise_outward_code(record[0])
                latitude, longitude = float(record[1]), float(record[2])
            except (ValidationError, ValueError, IndexError):
                errors.append(f"line {line}: expected outward code, latitude, longitude: {record}")
                continue
            if not (UK_LATITUDE[0] <= latitude <= UK_LATITUDE[1]) or not (
                UK_LONGITUDE[0] <= longitude <= UK_LONGITUDE[1]
            ):
                errors.append(f"line {line}: {code} at {latitude}, {longitude} is not in the UK")
                continue
            rows.append((code, latitude, longitude))
        return rows, errors


def _is_number(cells):
    try:
        float(cells[0])
    except (IndexError, ValueError):
        return False
    return True
