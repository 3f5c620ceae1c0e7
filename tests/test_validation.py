import json

from backprop_core.validation import MAX_QUOTE, brief


def test_brief_quotes_a_short_value_as_repr_does():
    assert brief("abc") == "'abc'" and brief(1.5) == "1.5" and brief([1, 2]) == "[1, 2]"


def test_brief_cuts_long_text_to_40_characters_with_an_ellipsis():
    text = brief("x" * 900_000)
    assert len(text) == MAX_QUOTE and text == "'" + "x" * 37 + "…'"


def test_brief_survives_integers_too_long_for_repr_and_deeply_nested_lists():
    assert brief(10**5000) == "an integer of 16,610 bits"
    deep = json.loads("[" * 900 + "]" * 900)
    assert len(brief(deep)) <= MAX_QUOTE and len(brief(list(range(10**6)))) <= MAX_QUOTE
