"""Vision: image parts as data URIs (png, jpeg, gif, webp) and https URLs, `detail`, several images in one
message, a real answer about the image (its dominant colour), and a 400 for images the API must refuse."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from chatconform.checks import ERROR_CHECKS, RESPONSE_CHECKS, STREAM_CHECKS
from chatconform.prompts import chat

pytestmark = pytest.mark.vision

# Plain, saturated colours that any person (and model) names the same way.
RGB = {"red": (220, 20, 20), "blue": (20, 60, 220), "green": (30, 160, 60), "yellow": (250, 220, 20)}
FORMATS = {"png": ("PNG", "red"), "jpeg": ("JPEG", "blue"), "gif": ("GIF", "green"), "webp": ("WEBP", "yellow")}
ONE_IMAGE = "What is the dominant colour of this image? Answer with one word."
TWO_IMAGES = "Name the dominant colour of each of these two images, in order, one word each."


@pytest.fixture(autouse=True)
def _claims_vision(conform):
    conform.requires("vision")


def image_bytes(colour, fmt="PNG", size=(64, 48)):
    """A solid-colour image, encoded in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, RGB[colour]).save(buffer, format=fmt)
    return buffer.getvalue()


def data_uri(data, media_type):
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def image_part(url, detail=None):
    image_url = {"url": url} if detail is None else {"url": url, "detail": detail}
    return {"type": "image_url", "image_url": image_url}


def vision_body(model, prompt, *parts, **params):
    content = [{"type": "text", "text": prompt}, *parts]
    return chat(model, {"role": "user", "content": content}, **params)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_image_format(raw, conform, model, fmt):
    pil_format, colour = FORMATS[fmt]
    part = image_part(data_uri(image_bytes(colour, pil_format), f"image/{fmt}"))
    conform.check(raw.chat(vision_body(model, ONE_IMAGE, part)), *RESPONSE_CHECKS, "vision.colour", colours=[colour])


@pytest.mark.parametrize("detail", ["low", "high", "auto"])
def test_image_detail(raw, conform, model, detail):
    part = image_part(data_uri(image_bytes("red"), "image/png"), detail)
    conform.check(raw.chat(vision_body(model, ONE_IMAGE, part)), *RESPONSE_CHECKS, "vision.colour", colours=["red"])


@pytest.mark.parametrize("mode", ["nonstream", "stream"])
def test_several_images(raw, conform, model, mode):
    stream = mode == "stream"
    parts = [image_part(data_uri(image_bytes(c), "image/png")) for c in ("red", "blue")]
    body = vision_body(model, TWO_IMAGES, *parts, stream=stream or None)
    checks = STREAM_CHECKS if stream else RESPONSE_CHECKS
    conform.check(raw.chat(body), *checks, "vision.colour", colours=["red", "blue"])


def test_image_https_url(raw, conform, profile, model):
    """The target fetches the image itself; what it shows is not fixed, so only a whole answer is required."""
    if not profile.claims("vision_https_urls"):
        conform.unsupported("vision_https_urls")
    url = profile.expect.vision_image_url
    body = vision_body(model, "Describe this image in one sentence.", image_part(url))
    conform.check(raw.chat(body), *RESPONSE_CHECKS, "vision.described")


BAD_IMAGES = {
    "invalid-base64": "data:image/png;base64,this-is-not-base64!!",
    "mislabelled": data_uri(image_bytes("red", "JPEG"), "image/png"),  # JPEG bytes declared as PNG
}


@pytest.mark.parametrize("case", list(BAD_IMAGES))
def test_bad_image_is_a_400(raw, conform, model, case):
    ex = raw.chat(vision_body(model, ONE_IMAGE, image_part(BAD_IMAGES[case])))
    conform.check(ex, *ERROR_CHECKS, status=400)
