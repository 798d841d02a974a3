"""vision: images generated in memory decode to their size and colour; every bad image is refused."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import pytest
from PIL import Image

from chatconform.mock.request import ImageInput
from chatconform.mock.vision import ImageError, colour_name, decode_image_url, describe

SOLIDS = {
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "orange": (255, 165, 0),
}
FORMATS = {
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "gif": ("GIF", "image/gif"),
    "webp": ("WEBP", "image/webp"),
}


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def data_uri(raw: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(raw).decode()}"


def image_uri(image: Image.Image, fmt: str = "png", **options: Any) -> str:
    pil_format, media_type = FORMATS[fmt]
    return data_uri(encode(image, pil_format, **options), media_type)


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("colour", list(SOLIDS))
def test_solid_colour_is_decoded(fmt: str, colour: str) -> None:
    image = decode_image_url(image_uri(Image.new("RGB", (64, 48), SOLIDS[colour]), fmt), detail="low")
    assert (image.width, image.height, image.media_type, image.detail) == (64, 48, FORMATS[fmt][1], "low")
    assert image.rgb is not None
    assert colour_name(image.rgb) == colour
    assert describe(image) == f"a 64x48 image, mostly {colour}"


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ((255, 0, 0), "red"),
        ((0, 128, 0), "green"),
        ((0, 255, 0), "green"),
        ((0, 0, 255), "blue"),
        ((255, 255, 0), "yellow"),
        ((255, 165, 0), "orange"),
        ((128, 0, 128), "purple"),
        ((255, 192, 203), "pink"),
        ((139, 69, 19), "brown"),
        ((0, 0, 0), "black"),
        ((255, 255, 255), "white"),
        ((128, 128, 128), "gray"),
        ((0, 255, 255), "cyan"),
        ((255, 0, 255), "magenta"),
        ((0, 0, 128), "blue"),
        ((128, 0, 0), "red"),
        ((211, 211, 211), "gray"),
        ((64, 64, 64), "gray"),
        ((10, 10, 10), "black"),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(map(str, value)),
)
def test_colour_name(rgb: tuple[int, int, int], name: str) -> None:
    assert colour_name(rgb) == name


def test_dominant_colour_is_the_largest_area_averaged_within_its_bucket() -> None:
    image = Image.new("RGB", (100, 100), (250, 0, 0))
    image.paste((0, 0, 255), (0, 0, 100, 40))  # 40 % blue
    image.paste((240, 10, 0), (0, 40, 100, 70))  # 30 % of a slightly different red: same bucket as (250, 0, 0)
    decoded = decode_image_url(image_uri(image))
    assert decoded.rgb == (245, 5, 0)  # the mean of the two reds, blue left out
    assert colour_name(decoded.rgb) == "red"


def test_values_either_side_of_a_channel_step_share_a_bucket() -> None:
    image = Image.new("RGB", (100, 100), (255, 0, 0))  # 48 % red
    image.paste((0, 124, 0), (0, 0, 100, 26))  # 26 % and 26 % of green just below and above 128
    image.paste((0, 130, 0), (0, 26, 100, 52))
    decoded = decode_image_url(image_uri(image))
    assert decoded.rgb == (0, 127, 0)


def test_jpeg_noise_does_not_split_a_solid_colour() -> None:
    base = Image.new("RGB", (200, 200), (0, 128, 0))
    noise = Image.effect_noise((200, 200), 6).convert("RGB")
    noisy = Image.blend(base, noise, 0.05)
    decoded = decode_image_url(image_uri(noisy, "jpeg", quality=40))
    assert decoded.rgb is not None
    assert colour_name(decoded.rgb) == "green"


def test_transparent_pixels_count_as_white() -> None:
    image = Image.new("RGBA", (50, 50), (255, 0, 0, 0))  # fully transparent red
    image.paste((0, 0, 255, 255), (0, 0, 50, 10))
    decoded = decode_image_url(image_uri(image))
    assert decoded.rgb == (255, 255, 255)


def test_animated_gif_uses_the_first_frame() -> None:
    frames = [Image.new("RGB", (20, 20), (255, 0, 0)), Image.new("RGB", (20, 20), (0, 0, 255))]
    raw = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    decoded = decode_image_url(data_uri(raw, "image/gif"))
    assert decoded.rgb is not None
    assert colour_name(decoded.rgb) == "red"


@pytest.mark.parametrize("mode", ["L", "P", "LA", "CMYK"])
def test_other_modes_are_converted(mode: str) -> None:
    image = Image.new("RGB", (30, 30), (0, 0, 255)).convert(mode)
    fmt = "jpeg" if mode == "CMYK" else "png"
    decoded = decode_image_url(image_uri(image, fmt))
    assert decoded.rgb is not None
    assert colour_name(decoded.rgb) == ("black" if mode in ("L", "LA") else "blue")  # luma of pure blue is 29


def test_base64_wrapped_over_lines_is_accepted() -> None:
    raw = base64.b64encode(encode(Image.new("RGB", (8, 8), (255, 0, 0)), "PNG")).decode()
    wrapped = "\n".join(raw[i : i + 76] for i in range(0, len(raw), 76))
    assert decode_image_url(f"data:image/png;base64,{wrapped}").width == 8


def test_https_url_is_referenced_not_fetched() -> None:
    image = decode_image_url("https://example.com/cat.png", detail="high")
    assert image == ImageInput(url="https://example.com/cat.png", media_type="", detail="high")
    assert describe(image) == "an image at https://example.com/cat.png"


def test_large_png_is_fast() -> None:
    uri = image_uri(Image.new("RGB", (512, 512), (0, 128, 0)))
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        decode_image_url(uri)
        timings.append(time.perf_counter() - start)
    # A wide bound (the machine is shared): it catches a decoder that reads every pixel of a large image
    # in Python, not a few milliseconds of noise.
    assert min(timings) < 0.25


RED_PNG = encode(Image.new("RGB", (4, 4), (255, 0, 0)), "PNG")
ERRORS = [
    ("http", "http://example.com/a.png", "only https and data URIs|http URLs are not accepted"),
    ("file-url", "file:///etc/passwd", "must be https URLs or base64 data URIs"),
    ("not-base64-encoded", "data:image/png,rawbytes", "must have the form"),
    ("invalid-base64", "data:image/png;base64,@@@not-base64@@@", "not valid base64"),
    ("empty-data", "data:image/png;base64,", "empty"),
    ("not-an-image", data_uri(b"hello, this is text", "image/png"), "not a valid PNG, JPEG, GIF or WebP"),
    ("bmp", data_uri(encode(Image.new("RGB", (4, 4)), "BMP"), "image/bmp"), "image/bmp is not supported"),
    ("svg", data_uri(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"), "image/svg\\+xml is not supp"),
    ("jpg-alias", data_uri(encode(Image.new("RGB", (4, 4)), "JPEG"), "image/jpg"), "image/jpg is not supported"),
    (
        "jpeg-labelled-png",
        data_uri(encode(Image.new("RGB", (4, 4)), "JPEG"), "image/png"),
        r"^image media type image/png does not match the data \(image/jpeg\)\.$",
    ),
    ("png-labelled-gif", data_uri(RED_PNG, "image/gif"), r"image/gif does not match the data \(image/png\)"),
    ("bmp-labelled-png", data_uri(encode(Image.new("RGB", (4, 4)), "BMP"), "image/png"), r"\(image/bmp\)"),
    ("too-wide", image_uri(Image.new("L", (8001, 2))), "8001x2 pixels; the maximum is 8000x8000"),
    ("truncated", data_uri(RED_PNG[:-20], "image/png"), "truncated or corrupt|not a valid"),
]


@pytest.mark.parametrize(("url", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_bad_images_are_refused_with_one_sentence(url: str, message: str) -> None:
    with pytest.raises(ImageError, match=message) as caught:
        decode_image_url(url)
    text = str(caught.value)
    assert text.endswith(".")
    assert "\n" not in text
    payload = url.partition(",")[2]
    assert len(text) < 200
    assert len(payload) < 12 or payload not in text  # the data is never echoed back


def test_describe_without_pixels_or_url() -> None:
    assert describe(ImageInput(url="", media_type="")) == "an image"
