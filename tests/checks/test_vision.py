"""vision.colour on hand-built answers."""

from __future__ import annotations

from tests.checks.handmade import run, text_answer, text_stream, titles


def test_colour_named_passes_in_any_case_and_either_spelling() -> None:
    assert run(text_answer("The image is mostly Red."), "vision.colour", colours=["red"]) == []
    assert run(text_answer("A plain grey square."), "vision.colour", colours=["gray"]) == []
    assert run(text_stream("It is a blue square."), "vision.colour", colours=["blue"]) == []


def test_colour_missing_fails() -> None:
    found = run(text_answer("I cannot see any image."), "vision.colour", colours=["red"])
    assert titles(found) == ["the answer does not name the image's dominant colour"]
    assert found[0].expected == "mentions red"


def test_colour_must_be_a_whole_word_of_its_family() -> None:
    assert titles(run(text_answer("It looks bored and tired."), "vision.colour", colours=["red"]))  # b-o-RED
    assert titles(run(text_answer("A solid navy square."), "vision.colour", colours=["red"]))


def test_colour_tolerates_a_models_own_word_for_it() -> None:
    for said in ("A solid crimson square.", "It is bright Scarlet", "a reddish tile", "Deep burgundy."):
        assert run(text_answer(said), "vision.colour", colours=["red"]) == [], said
    assert run(text_answer("Mostly cobalt, with no texture."), "vision.colour", colours=["blue"]) == []


def test_several_images_need_every_colour() -> None:
    ex = text_answer("Image 1 is red. Image 2 is green.")
    assert run(ex, "vision.colour", colours=["red", "green"]) == []
    assert run(ex, "vision.colour", colours=["red", "blue"])[0].expected == "mentions blue"


def test_described_needs_text() -> None:
    assert run(text_answer("A boardwalk through green grass."), "vision.described") == []
    assert titles(run(text_stream(""), "vision.described")) == ["the answer about the image is empty"]
