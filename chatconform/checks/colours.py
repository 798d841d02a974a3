"""Colour families: the words a model may use for the dominant colour of an image.

A real model describes a solid red square as "red", "crimson", "scarlet" or "a deep cherry colour"; the
vision check asks only that the answer name the colour's family, so a gateway that dropped the image (and
got a fluent answer about nothing) still fails, and a model's choice of word does not. The families cover
the basic colour terms (Berlin and Kay's eleven) with the common names English speakers give their shades.
"""

from __future__ import annotations

import re

FAMILIES: dict[str, frozenset[str]] = {
    "red": frozenset(
        {
            "red",
            "crimson",
            "scarlet",
            "vermilion",
            "cherry",
            "ruby",
            "carmine",
            "maroon",
            "burgundy",
            "cardinal",
            "reddish",
            "brick",
        }
    ),
    "orange": frozenset({"orange", "amber", "tangerine", "apricot", "coral", "rust", "orangish", "pumpkin"}),
    "yellow": frozenset(
        {"yellow", "gold", "golden", "lemon", "mustard", "canary", "saffron", "yellowish", "sunflower"}
    ),
    "green": frozenset(
        {"green", "emerald", "lime", "olive", "jade", "forest", "mint", "sage", "greenish", "chartreuse", "kelly"}
    ),
    "blue": frozenset(
        {
            "blue",
            "navy",
            "azure",
            "cobalt",
            "sapphire",
            "cerulean",
            "indigo",
            "royal",
            "sky",
            "bluish",
            "ultramarine",
            "teal",
            "cyan",
        }
    ),
    "purple": frozenset({"purple", "violet", "lavender", "lilac", "magenta", "plum", "mauve", "amethyst", "purplish"}),
    "pink": frozenset({"pink", "rose", "fuchsia", "salmon", "blush", "pinkish"}),
    "brown": frozenset({"brown", "tan", "chocolate", "coffee", "chestnut", "beige", "bronze", "brownish", "umber"}),
    "black": frozenset({"black", "ebony", "jet", "onyx", "charcoal"}),
    "white": frozenset({"white", "ivory", "snow", "cream", "pearl"}),
    "grey": frozenset({"grey", "gray", "silver", "slate", "ash", "greyish", "grayish", "gunmetal"}),
}
FAMILIES["gray"] = FAMILIES["grey"]


def family(colour: str) -> frozenset[str]:
    """The words of a colour's family; an unknown colour is a family of one."""
    return FAMILIES.get(colour.lower(), frozenset({colour.lower()}))


def names_colour(text: str, colour: str) -> bool:
    """True when `text` holds a word of `colour`'s family, in any case ("Crimson." names red)."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return bool(words & family(colour))
