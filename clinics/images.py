"""Uploaded photos: checked from their content, then re-encoded so nothing the uploader sent
reaches a visitor's browser as it came.

Order matters for safety: the byte size is checked before reading; the pixel count and what
decoding will cost in memory are worked out from the header before decoding (so a
decompression bomb costs a few kilobytes); a JPEG is decoded at the smallest scale that still
gives a full-size photo (libjpeg's draft mode); the image is shrunk in its own compact mode
(one byte a pixel for black-and-white, grey or palette images) before anything is converted
to colour. Then it is turned upright and saved as a fresh JPEG, which drops EXIF (GPS
included) and anything hidden after the image data.

One upload costs at most about PHOTO_MAX_DECODE_MEGABYTES of memory to decode, plus the
shrunk copies (a few megabytes); tests/test_photo_uploads.py measures it.
"""

import io
import math
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class ProcessedPhoto:
    def __init__(self, full, thumbnail):
        self.full = full
        self.thumbnail = thumbnail


def _megabytes(size):
    return f"{size / (1024 * 1024):.0f} MB"


def _bytes_per_pixel(mode):
    # How Pillow stores a decoded pixel: one byte for these modes, four for the colour ones
    # (RGB included, padded), at most four for any mode we can be sent.
    return 1 if mode in ("1", "L", "P") else 4


def _encode(image, longest_side):
    copy = image.copy()
    copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    # The server chooses the name; the extension matches what the bytes now are.
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def process_photo(uploaded):
    """A ProcessedPhoto (full size and thumbnail, both fresh JPEGs), or ValidationError with
    a reason a clinic can act on."""
    if uploaded.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            f"This file is {_megabytes(uploaded.size)}; photos can be up to "
            f"{_megabytes(settings.PHOTO_MAX_BYTES)}.",
            code="too_large",
        )
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            # We refuse large images ourselves, just below, with a clearer message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(uploaded)
        with image:
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    "Upload a JPEG, PNG or WebP photo.", code="unsupported_format"
                )
            width, height = image.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise ValidationError(
                    f"This image is {width} × {height} pixels; photos can have up to "
                    f"{settings.PHOTO_MAX_PIXELS // 1_000_000} million pixels. Make it smaller "
                    "and upload it again.",
                    code="too_many_pixels",
                )
            # A JPEG can be decoded straight to a half, quarter or eighth of its size, as long
            # as that still covers the largest size we keep.
            scale = min(1, settings.PHOTO_MAX_SIDE / max(width, height))
            image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            decoded_width, decoded_height = image.size
            cost = decoded_width * decoded_height * _bytes_per_pixel(image.mode)
            if cost > settings.PHOTO_MAX_DECODE_MEGABYTES * 1024 * 1024:
                raise ValidationError(
                    f"This image is {width} × {height} pixels, too large for us to process "
                    "in this format. Save it as a JPEG, or make it smaller, and upload it "
                    "again.",
                    code="too_costly",
                )
            image.load()
            # Shrunk before any conversion, in the image's own mode (nearest-neighbour for
            # black-and-white and palette images, which cannot be averaged).
            longest = settings.PHOTO_MAX_SIDE
            image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
            upright = ImageOps.exif_transpose(image)
            if upright.mode != "RGB":
                background = Image.new("RGB", upright.size, "white")
                rgba = upright.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                upright = background
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard, for images far beyond our limit: refused from the header too.
        raise ValidationError(
            f"This image has far more than {settings.PHOTO_MAX_PIXELS // 1_000_000} million "
            "pixels. Make it smaller and upload it again.",
            code="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            "This file is not a photo we can read. Upload a JPEG, PNG or WebP photo.",
            code="unreadable",
        ) from None
    return ProcessedPhoto(
        full=_encode(upright, settings.PHOTO_MAX_SIDE),
        thumbnail=_encode(upright, settings.PHOTO_THUMBNAIL_SIDE),
    )
