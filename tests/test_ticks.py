"""Log-axis labels that fit, in one number format."""

import pytest

from dashboard.figures.ticks import log_axis, log_tick_values, power_text, power_ticks, tick_text


@pytest.mark.parametrize(
    "value, text",
    [
        (0.002, "0.002"),
        (0.5, "0.5"),
        (20.0, "20"),
        (5000.0, "5,000"),
        (2e-4, "2×10<sup>−4</sup>"),
        (1e-5, "10<sup>−5</sup>"),
        (1e5, "10<sup>5</sup>"),
    ],
)
def test_tick_text_is_plain_decimals_in_the_middle_and_powers_of_ten_beyond(value, text):
    assert tick_text(value) == text


def test_a_wide_range_is_labelled_once_a_decade():
    assert log_tick_values(3e-4, 0.26) == [1e-3, 1e-2, 0.1]


def test_one_or_two_decades_are_labelled_at_1_2_and_5():
    assert log_tick_values(0.012, 0.26) == [0.02, 0.05, 0.1, 0.2]


def test_under_a_decade_takes_a_few_round_values_not_every_digit():
    values = log_tick_values(0.126, 0.134)
    assert 3 <= len(values) <= 6 and all(0.126 <= v <= 0.134 for v in values)
    assert [tick_text(v) for v in values] == ["0.126", "0.128", "0.13", "0.132", "0.134"]


def test_nothing_drawn_means_no_labels_and_non_positive_values_are_ignored():
    assert log_axis([])["showticklabels"] is False
    axis = log_axis([[0.0, -1.0, float("nan"), 0.5, 0.05]])
    assert axis["tickvals"] == [0.05, 0.1, 0.2, 0.5] and axis["minor"]["dtick"] == "D1"


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (0.0, 2, "0"),
        (-0.0013, 2, "−0.0013"),
        (2.5, 3, "2.5"),
        (-1.26e-12, 2, "−1.3×10<sup>−12</sup>"),
        (1e-7, 2, "10<sup>−7</sup>"),
        (9.996e-4, 2, "0.001"),  # rounds up into the plain range
        (123456.0, 3, "1.23×10<sup>5</sup>"),
    ],
)
def test_power_text_signs_and_rounds_before_choosing_plain_or_a_power_of_ten(value, digits, text):
    assert power_text(value, digits) == text


def test_power_ticks_label_a_symmetric_colour_bar_without_si_prefixes():
    ticks = power_ticks(3e-12)
    assert ticks["tickvals"] == [-3e-12, -1.5e-12, 0.0, 1.5e-12, 3e-12]
    assert ticks["ticktext"][2] == "0" and ticks["ticktext"][0] == "−3×10<sup>−12</sup>"
