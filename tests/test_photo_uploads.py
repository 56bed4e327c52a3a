"""Photo uploads, with real files: only genuine photos get in, and only as fresh JPEGs."""

import io
import os
import resource
import struct
import subprocess
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image

from clinics.models import ClinicPhoto
from tests.factories import make_clinic, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    return make_clinic(slug="clinic-a")


@pytest.fixture
def client(clinic):
    client = Client()
    client.force_login(make_staff(clinic))
    return client


def jpeg_with_gps(size=(2400, 1800)):
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 27.0, 44.0)  # latitude ref and value
    gps[3], gps[4] = "W", (0.0, 8.0, 17.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def encoded(fmt, size=(800, 600), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 20, 30, 128) if mode == "RGBA" else (10, 20, 30)).save(
        buffer, format=fmt
    )
    return buffer.getvalue()


def png_header_only(width, height):
    """A PNG that claims width x height pixels but holds a few bytes of data: what a
    decompression bomb looks like before anyone decodes it."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def upload(client, content, name="photo.jpg", alt="Treatment room"):
    return client.post(
        reverse("portal:photos", args=["clinic-a"]),
        {"upload-alt_text": alt, "upload-image": SimpleUploadedFile(name, content)},
    )


def test_a_jpeg_is_stored_resized_without_its_location(client, clinic, settings):
    response = upload(client, jpeg_with_gps(), name="../../x.php")
    assert response.status_code == 302
    photo = ClinicPhoto.objects.get(clinic=clinic)
    assert photo.alt_text == "Treatment room"
    assert photo.image.name.startswith("clinics/") and photo.image.name.endswith(".jpg")
    assert ".." not in photo.image.name and "php" not in photo.image.name
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == settings.PHOTO_MAX_SIDE
        assert not stored.getexif()  # no EXIF at all, so no GPS
        assert b"PhoneMaker" not in Path(photo.image.path).read_bytes()
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) == settings.PHOTO_THUMBNAIL_SIDE


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("WEBP", "RGB")])
def test_png_and_webp_are_accepted_and_re_encoded_as_jpeg(client, clinic, fmt, mode):
    assert upload(client, encoded(fmt, mode=mode), name=f"room.{fmt.lower()}").status_code == 302
    photo = ClinicPhoto.objects.get(clinic=clinic)
    with Image.open(photo.image.path) as stored:
        assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (800, 600))


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "photo.jpg",
        ),
        (b"<?php system($_GET['c']); ?>", "photo.jpg"),
        (encoded("GIF"), "photo.jpg"),  # a real image, but not a format we take
        (encoded("BMP"), "photo.png"),
    ],
)
def test_files_that_are_not_accepted_photos_are_refused_whatever_their_name(
    client, clinic, content, name
):
    response = upload(client, content, name=name)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The photo was not added." in page
    assert "Upload a JPEG, PNG or WebP photo." in page
    assert not ClinicPhoto.objects.exists()


def test_too_many_pixels_is_refused_from_the_header(client, clinic):
    response = upload(client, png_header_only(10_000, 10_000), name="big.png")
    assert "10000 × 10000 pixels" in response.content.decode()
    assert "up to 40 million pixels" in response.content.decode()
    assert not ClinicPhoto.objects.exists()


def test_a_decompression_bomb_is_refused_fast_with_little_memory(client, clinic):
    bomb = png_header_only(14_000, 14_000)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = upload(client, bomb, name="bomb.png")
    elapsed = time.perf_counter() - started
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert "million pixels" in response.content.decode()
    assert not ClinicPhoto.objects.exists()
    assert elapsed < 1.0
    assert grown_kib < 100 * 1024  # decoding it would need about 190 MB


def test_an_oversized_file_is_refused_before_it_is_read(client, clinic, settings):
    settings.PHOTO_MAX_BYTES = 50_000
    response = upload(client, jpeg_with_gps() + b"\0" * 60_000)
    assert "photos can be up to" in response.content.decode()
    assert not ClinicPhoto.objects.exists()


def test_the_photo_quota_is_enforced(client, clinic, settings):
    settings.PHOTO_QUOTA_PER_CLINIC = 1
    assert upload(client, encoded("JPEG")).status_code == 302
    response = upload(client, encoded("JPEG"))
    assert "Delete one to add another" in response.content.decode()
    assert ClinicPhoto.objects.count() == 1


def test_alt_text_is_required_and_kept_on_error(client, clinic):
    response = upload(client, encoded("JPEG"), alt="")
    assert "This field is required." in response.content.decode()
    assert not ClinicPhoto.objects.exists()


def test_a_failed_upload_loses_no_earlier_photo(client, clinic):
    upload(client, encoded("JPEG"), alt="First")
    first = ClinicPhoto.objects.get()
    upload(client, b"not an image")
    assert list(ClinicPhoto.objects.all()) == [first]
    assert first.image.storage.exists(first.image.name)


def test_deleting_a_photo_removes_its_files(client, clinic, django_capture_on_commit_callbacks):
    upload(client, encoded("JPEG"))
    photo = ClinicPhoto.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:delete-photo", args=["clinic-a", photo.pk]))
    assert not ClinicPhoto.objects.exists()
    assert not photo.image.storage.exists(photo.image.name)
    assert not photo.thumbnail.storage.exists(photo.thumbnail.name)


def test_photos_show_on_the_public_page_with_their_alt_text(client, clinic):
    upload(client, encoded("JPEG"), alt="The treatment room")
    page = Client().get(clinic.get_absolute_url()).content.decode()
    assert 'alt="The treatment room"' in page


DECODE_COST_PROBE = """
import resource, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from clinics.images import process_photo
upload = SimpleUploadedFile("photo.png", open(sys.argv[1], "rb").read())
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    process_photo(upload)
    outcome = "accepted"
except ValidationError as error:
    outcome = error.code
print(outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def decode_cost(tmp_path, mode, side=6324):
    """(outcome, peak memory growth in MB) of processing a real PNG of `side` x `side`
    pixels in `mode`, all one colour (so a few kilobytes), in a fresh process."""
    path = tmp_path / f"{mode}.png"
    Image.new(mode, (side, side), 0).save(path, format="PNG", optimize=True)
    assert path.stat().st_size < 300_000
    result = subprocess.run(
        [sys.executable, "-c", DECODE_COST_PROBE, str(path)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "directory.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    outcome, grown_kib = result.stdout.split()
    return outcome, int(grown_kib) / 1024


def test_a_small_file_cannot_make_decoding_cost_much_memory(tmp_path, settings):
    """Attack (issue 14, finding 4): a 4,946-byte 6324 x 6324 black-and-white PNG, just under
    the pixel limit, took a worker from 140 to 665 MB; an RGBA one about 790 MB. Now what
    decoding will cost is worked out from the header: the black-and-white one is decoded at
    one byte a pixel and shrunk before it is turned to colour; the RGBA one would cost more
    than PHOTO_MAX_DECODE_MEGABYTES and is refused before decoding."""
    outcome, grown_mb = decode_cost(tmp_path, "1")
    assert outcome == "accepted"
    assert grown_mb < 64  # its pixels at one byte each (38 MB), and small copies
    outcome, grown_mb = decode_cost(tmp_path, "RGBA")
    assert outcome == "too_costly"
    assert grown_mb < 16
    assert settings.PHOTO_MAX_DECODE_MEGABYTES == 100


def test_a_costly_png_is_refused_with_a_way_forward(client, clinic, tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGBA", (6324, 6324), 0).save(path, format="PNG", optimize=True)
    response = upload(client, path.read_bytes(), name="big.png")
    page = response.content.decode()
    assert response.status_code == 200 and "Save it as a JPEG, or make it smaller" in page
    assert not ClinicPhoto.objects.exists()


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(client, clinic, settings):
    """A 40-million-pixel phone photo is still welcome: libjpeg decodes it at half size."""
    buffer = io.BytesIO()
    Image.new("RGB", (7700, 5190), (90, 140, 200)).save(buffer, format="JPEG", quality=60)
    assert upload(client, buffer.getvalue()).status_code == 302
    with Image.open(ClinicPhoto.objects.get().image.path) as stored:
        assert max(stored.size) == settings.PHOTO_MAX_SIDE


def test_new_rows_in_the_photo_list_are_refused_not_a_server_error(client, clinic):
    """Attack (issue 14, finding 6): the photo list accepted a new row, and saving it was a
    server error (no clinic). A list that does not match the clinic's photos is refused
    with a clear page, and nothing is created."""
    response = client.post(
        reverse("portal:photos", args=["clinic-a"]),
        {
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-alt_text": "x",
            "photos-0-order": "1",
        },
    )
    assert response.status_code == 400
    assert "Your photos changed since this page was opened" in response.content.decode()
    assert not ClinicPhoto.objects.exists()


# SQLite takes its write lock at the start of every transaction (transaction_mode IMMEDIATE), so
# its requests never run side by side.
@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_uploads_sent_at_once_cannot_beat_the_quota(settings):
    """Attack (issue 14, finding 5): with one slot left, eight uploads at once were all
    accepted. The clinic's row is locked while its photos are counted and one is added."""
    settings.PHOTO_QUOTA_PER_CLINIC = 3
    clinic = make_clinic(slug="clinic-a")
    staff = make_staff(clinic)
    for n in range(2):
        ClinicPhoto.objects.create(clinic=clinic, image=f"clinics/{n}.jpg", alt_text="Room")
    content = encoded("JPEG", size=(1200, 900))
    start = threading.Barrier(8)

    def send():
        client = Client()
        client.force_login(staff)
        start.wait()
        try:
            return upload(client, content).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: send(), range(8)))
    assert ClinicPhoto.objects.filter(clinic=clinic).count() == 3
    assert sorted(statuses) == [200] * 7 + [302]
