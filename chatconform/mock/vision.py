"""Decode request images and describe them in a sentence a test can check.

The mock "sees" an image the way a suite can verify: its size and dominant
colour. Errors are the ones a real upstream raises (bad base64, not an image,
a media type that lies about the bytes, too large), worded as one sentence
because the message goes to the API client in a 400.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections import Counter
from collections.abc import Sequence
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from chatconform.mock.request import ImageInput

MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_SIDE = 8000  # Anthropic's documented limit per side
MAX_IMAGES = 100  # per request, Anthropic's documented limit
MAX_REQUEST_PIXELS = 100_000_000  # decoded in one request: decoding is the costly part of an image
_SAMPLE = 64  # dominant colour is judged on at most 64x64 pixels: fast, and plenty for "mostly red"
# Formats Pillow may open: the accepted four (MPO is how Pillow names many camera JPEGs) and a
# few common others, only to name them in the mismatch error. Never the ones that run helpers (EPS).
_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
    "ICO": "image/x-icon",
}
_OPENABLE = tuple(f for f in _FORMATS if f != "MPO")  # Pillow's JPEG opener yields MPO images itself
_DATA_URI = re.compile(r"data:([^;,]*)((?:;[^;,]*)*),(.*)", re.DOTALL)

# Several reference points per name, so dark and light shades land on the name a person would use.
_COLOURS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "red": ((255, 0, 0), (170, 0, 0), (220, 20, 60)),
    "green": ((0, 128, 0), (0, 255, 0), (34, 139, 34), (144, 238, 144)),
    "blue": ((0, 0, 255), (0, 0, 128), (65, 105, 225), (135, 206, 235)),
    "yellow": ((255, 255, 0), (255, 215, 0), (255, 255, 153)),
    "orange": ((255, 165, 0), (255, 128, 0)),
    "purple": ((128, 0, 128), (75, 0, 130), (148, 0, 211), (160, 100, 200)),
    "pink": ((255, 192, 203), (255, 105, 180)),
    "brown": ((139, 69, 19), (101, 67, 33), (165, 42, 42)),
    "black": ((0, 0, 0), (25, 25, 25)),
    "white": ((255, 255, 255),),
    "gray": ((128, 128, 128), (80, 80, 80), (192, 192, 192)),
    "cyan": ((0, 255, 255), (0, 128, 128)),
    "magenta": ((255, 0, 255), (200, 0, 200)),
}


class ImageError(ValueError):
    """An image the API must reject; the message is one sentence for the client."""


def decode_image_url(url: str, detail: str = "auto", before: Sequence[ImageInput] = ()) -> ImageInput:
    """An ImageInput for a data URI (decoded) or an https URL (referenced, never fetched); `before` are the
    images of the same request decoded so far, which bound what this one may cost."""
    if len(before) >= MAX_IMAGES:
        raise ImageError(f"a request may hold at most {MAX_IMAGES} images.")
    if url.startswith("data:"):
        return _decode_data_uri(url, detail, MAX_REQUEST_PIXELS - sum(i.width * i.height for i in before))
    parts = urlsplit(url)
    if parts.scheme.lower() == "https" and parts.netloc:
        return ImageInput(url=url, media_type="", detail=detail)
    if parts.scheme.lower() == "http":
        raise ImageError("image URLs must be https URLs or data URIs; http URLs are not accepted.")
    raise ImageError("image URLs must be https URLs or base64 data URIs (data:image/png;base64,...).")


def _decode_data_uri(url: str, detail: str, room: int) -> ImageInput:
    match = _DATA_URI.fullmatch(url)
    if match is None or ";base64" not in match.group(2).lower():
        raise ImageError("image data URIs must have the form data:<media type>;base64,<data>.")
    media_type = match.group(1).strip().lower()
    if media_type not in MEDIA_TYPES:
        raise ImageError(
            f"image media type {media_type or '(none)'} is not supported; use one of {', '.join(MEDIA_TYPES)}."
        )
    raw = _b64decode(match.group(3))
    with _open(raw) as image:
        actual = _FORMATS.get(image.format or "", f"image/{(image.format or 'unknown').lower()}")
        if actual != media_type:
            raise ImageError(f"image media type {media_type} does not match the data ({actual}).")
        width, height = image.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise ImageError(f"image is {width}x{height} pixels; the maximum is {MAX_SIDE}x{MAX_SIDE}.")
        if width * height > room:
            raise ImageError(f"the images of one request may hold at most {MAX_REQUEST_PIXELS:,} pixels in all.")
        rgb = dominant_rgb(image)
    return ImageInput(url=url, media_type=media_type, width=width, height=height, rgb=rgb, detail=detail)


def _b64decode(data: str) -> bytes:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raw = b""  # retried below without whitespace: some clients wrap base64 lines
    if not raw and data.strip():
        try:
            raw = base64.b64decode("".join(data.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImageError("image data is not valid base64.") from exc
    if not raw:
        raise ImageError("image data is empty.")
    return raw


def _open(raw: bytes) -> Image.Image:
    try:
        # only the header is read here; pixels are decoded after the size check
        return Image.open(io.BytesIO(raw), formats=_OPENABLE)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"image is larger than the maximum of {MAX_SIDE}x{MAX_SIDE} pixels.") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageError("image data is not a valid PNG, JPEG, GIF or WebP image.") from exc


def dominant_rgb(image: Image.Image) -> tuple[int, int, int]:
    """The most frequent colour, with channels bucketed so JPEG noise does not split a solid colour."""
    try:
        image.seek(0)  # animated GIF and WebP: the first frame
        image.draft("RGB", (_SAMPLE, _SAMPLE))  # JPEG decodes at reduced scale, much faster
        small = _flatten(image.resize(_sample_size(image.size), Image.Resampling.NEAREST))
    except (OSError, ValueError, EOFError) as exc:
        raise ImageError("image data is truncated or corrupt.") from exc
    colours = [(n, (c[0], c[1], c[2])) for n, c in small.getcolors(_SAMPLE * _SAMPLE) or [] if isinstance(c, tuple)]
    buckets: Counter[tuple[int, int, int]] = Counter()
    for n, rgb in colours:
        buckets[_bucket(rgb)] += n
    winner = buckets.most_common(1)[0][0]
    members = [(n, rgb) for n, rgb in colours if _bucket(rgb) == winner]
    total = sum(n for n, _ in members)
    r, g, b = (round(sum(n * rgb[i] for n, rgb in members) / total) for i in range(3))
    return (r, g, b)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with transparent areas shown on white, as chat UIs and models render them."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _sample_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, _SAMPLE / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _bucket(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    # rounding, not flooring: 127, 128 and 129 (JPEG around pure green's 128) share a bucket
    r, g, b = rgb
    return (r + 16) >> 5, (g + 16) >> 5, (b + 16) >> 5


def colour_name(rgb: tuple[int, int, int]) -> str:
    """The nearest plain colour name (red, green, blue, ..., gray)."""

    def distance(ref: tuple[int, int, int]) -> int:
        return sum((a - b) ** 2 for a, b in zip(rgb, ref, strict=True))

    return min(((name, ref) for name, refs in _COLOURS.items() for ref in refs), key=lambda pair: distance(pair[1]))[0]


def describe(image: ImageInput) -> str:
    """A short noun phrase: "a 64x48 image, mostly red", or "an image at <url>" when not decoded."""
    if image.rgb is not None:
        return f"a {image.width}x{image.height} image, mostly {colour_name(image.rgb)}"
    if image.url.startswith("https://"):
        return f"an image at {image.url}"
    return "an image"
