"""Uploaded photos: checked from their content, then re-encoded so nothing the uploader sent
reaches a visitor's browser as it came.

Order matters for safety: the byte size is checked before reading, the pixel count from the
header before decoding (so a decompression bomb costs a few kilobytes of memory), and only
then is the image decoded, turned upright, shrunk and saved as a fresh JPEG, which drops EXIF
(GPS included) and anything hidden after the image data.
"""

import io
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
            image.load()
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
