"""Photos for the demo clinics, so that cards and galleries can be seen in `make run`.

They are drawings, made here with Pillow (a treatment room, a reception, an exercise studio,
in colours chosen from each clinic's name), so they belong to nobody and cost nothing to
ship. Each goes in through the form clinic staff upload with, and so through the same checks
and re-encoding (clinics/images.py) as a real photo.
"""

import hashlib
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

from clinics.models import Clinic
from clinics.portal.forms import PhotoUploadForm

WIDTH, HEIGHT = 960, 640
WALLS = ["#dfe9e6", "#e9e2d8", "#dde4ee", "#ece6f0", "#e4ecdf", "#f0e8dc"]
ACCENTS = ["#0b5d66", "#3b6e8f", "#6a4c93", "#2f7d4f", "#b35c00", "#8c3b3b"]
FLOORS = ["#b99b7a", "#a8a29a", "#c9b08c", "#8f8377"]


def _shade(colour, factor):
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(max(0, min(255, round(c * factor))) for c in (red, green, blue))


def _room(rng, wall, floor):
    """An empty room, its wall down to a skirting board at a height chosen by `rng`: the
    image, something to draw on it with, and the floor's top."""
    image = Image.new("RGB", (WIDTH, HEIGHT), wall)
    draw = ImageDraw.Draw(image)
    horizon = int(HEIGHT * rng.uniform(0.62, 0.7))
    draw.rectangle((0, 0, WIDTH, horizon), fill=wall)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=floor)
    draw.rectangle((0, horizon - 12, WIDTH, horizon), fill=_shade(wall, 0.85))
    return image, draw, horizon


def _window(draw, rng, left, top):
    width, height = rng.randint(190, 260), rng.randint(200, 250)
    draw.rectangle((left, top, left + width, top + height), fill="#f8fbfc")
    draw.rectangle((left + 10, top + 10, left + width - 10, top + height - 10), fill="#bfdbe8")
    draw.line((left + width // 2, top, left + width // 2, top + height), fill="#f8fbfc", width=8)
    draw.ellipse((left + 30, top + height - 90, left + 150, top + height + 20), fill="#9cc7a0")


def _plant(draw, x, floor_y):
    draw.polygon(
        [(x - 28, floor_y), (x + 28, floor_y), (x + 20, floor_y - 60), (x - 20, floor_y - 60)],
        fill="#c77d4f",
    )
    for dx, dy, size in [(-30, -120, 50), (10, -150, 55), (25, -105, 45), (-5, -95, 40)]:
        draw.ellipse(
            (x + dx - size, floor_y + dy - size // 2, x + dx + size, floor_y + dy + size // 2),
            fill="#3f7d4e",
        )


def treatment_room(rng, wall, accent, floor):
    image, draw, horizon = _room(rng, wall, floor)
    _window(draw, rng, rng.randint(560, 660), 70)
    # A chart of the spine on the wall.
    draw.rectangle((110, 90, 250, 300), fill="#fbfaf6", outline=_shade(wall, 0.7), width=4)
    for i in range(9):
        draw.rounded_rectangle((165, 110 + i * 20, 195, 124 + i * 20), radius=5, fill="#d6cbb8")
    # The treatment couch.
    top = horizon + 40
    draw.rounded_rectangle((170, top - 40, 620, top + 10), radius=18, fill=accent)
    draw.rounded_rectangle((170, top - 62, 290, top - 28), radius=14, fill=_shade(accent, 1.25))
    for x in (210, 580):
        draw.rectangle((x - 8, top + 10, x + 8, top + 120), fill="#6d6d6d")
    draw.rectangle((200, top + 100, 590, top + 112), fill="#7d7d7d")
    # A stool and a plant.
    draw.ellipse((690, top + 10, 790, top + 40), fill="#555f66")
    draw.rectangle((735, top + 35, 745, top + 130), fill="#555f66")
    _plant(draw, 860, horizon + 90)
    return image


def reception(rng, wall, accent, floor):
    image, draw, horizon = _room(rng, wall, floor)
    # A band of the clinic's colour with pendant lights.
    draw.rectangle((0, 150, WIDTH, 190), fill=accent)
    for x in range(160, WIDTH, 220):
        draw.line((x, 0, x, 80), fill="#444", width=3)
        draw.pieslice((x - 45, 60, x + 45, 140), 180, 360, fill="#f3d27a")
    # The desk.
    draw.rounded_rectangle((300, horizon - 60, 700, horizon + 120), radius=10, fill="#f7f4ee")
    draw.rectangle((300, horizon - 60, 700, horizon - 40), fill=_shade(accent, 1.2))
    draw.rectangle((440, horizon - 120, 560, horizon - 62), fill="#2e3a40")
    # Chairs along the wall.
    for x in (70, 170, 800):
        draw.rounded_rectangle(
            (x, horizon + 20, x + 80, horizon + 70), radius=12, fill=_shade(accent, 0.8)
        )
        draw.rounded_rectangle((x, horizon - 50, x + 80, horizon + 25), radius=12, fill=accent)
    _plant(draw, 900, horizon + 150)
    return image


def studio(rng, wall, accent, floor):
    image, draw, horizon = _room(rng, wall, floor)
    _window(draw, rng, 80, 80)
    # Wall bars.
    for x in range(470, 760, 48):
        draw.rectangle((x, 60, x + 12, horizon), fill="#c8a477")
    for y in range(90, horizon, 42):
        draw.rectangle((460, y, 770, y + 10), fill="#b08b5e")
    # A mat and an exercise ball.
    draw.polygon(
        [(260, horizon + 150), (720, horizon + 150), (660, horizon + 60), (320, horizon + 60)],
        fill=accent,
    )
    draw.ellipse((760, horizon - 20, 900, horizon + 120), fill=_shade(accent, 1.35))
    draw.arc((775, horizon - 5, 885, horizon + 105), 200, 290, fill="#ffffff", width=6)
    return image


SCENES = [
    (treatment_room, "a treatment room with a couch by the window"),
    (reception, "the reception desk and waiting area"),
    (studio, "an exercise studio with wall bars and a mat"),
]


class Command(BaseCommand):
    help = (
        "Give demo clinics drawn photos (two in three clinics, one to three photos each), "
        "uploaded through the staff photo form. Clinics with photos already are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="At most this many clinics.")
        parser.add_argument(
            "--clinic", action="append", default=[], help="Only this clinic (slug); repeatable."
        )

    def handle(self, *args, limit, clinic, **options):
        clinics = Clinic.objects.published().filter(photos__isnull=True).order_by("pk")
        if clinic:
            clinics = clinics.filter(slug__in=clinic)
        chosen = [c for c in clinics if clinic or self.seed(c)[0] % 3]
        added = 0
        for place in chosen[:limit]:
            seed = self.seed(place)
            rng = random.Random(seed)
            wall, accent, floor = rng.choice(WALLS), rng.choice(ACCENTS), rng.choice(FLOORS)
            first = seed[1] % len(SCENES)
            for n in range(1 + seed[2] % 3):
                draw, subject = SCENES[(first + n) % len(SCENES)]
                added += self.upload(place, draw(rng, wall, accent, floor), subject)
        self.stdout.write(
            f"Demo photos: {added} added to {min(len(chosen), limit or len(chosen))} clinics"
        )

    @staticmethod
    def seed(clinic):
        """Bytes from the clinic's slug: the same drawings every run, on every machine."""
        return hashlib.sha256(clinic.slug.encode()).digest()

    def upload(self, clinic, image, subject):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        form = PhotoUploadForm(
            {"alt_text": f"Illustration of {subject} (demo image)"},
            {"image": SimpleUploadedFile("demo.png", buffer.getvalue(), "image/png")},
            clinic=clinic,
        )
        if not form.is_valid():
            self.stderr.write(f"{clinic.slug}: {form.errors.as_text()}")
            return 0
        form.save()
        return 1
