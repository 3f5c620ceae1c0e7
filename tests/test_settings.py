import math

import pytest

from dashboard.state.checks import (
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    check_choice,
    check_learning_rate,
    check_seed,
    parse_hidden,
)
from dashboard.state.run import Run
from dashboard.state.settings import (
    SCHEMA,
    Settings,
    settings_from_query,
    settings_to_query,
    widget_values,
)


@pytest.mark.parametrize(
    "text, expected", [("2, 2", (2, 2)), ("3,4,2", (3, 4, 2)), (" 64 ", (64,)), ("None", ())]
)
def test_parse_hidden_accepts_comma_separated_widths(text, expected):
    assert parse_hidden(text) == expected


@pytest.mark.parametrize(
    "text, detail",
    [
        ("2, x", "'x' in '2, x' is not a whole number"),
        ("0", "0 in '0' is out of range"),
        ("-1", "'-1' in '-1' is not a whole number"),
        ("1e9", "'1e9' in '1e9' is not a whole number"),
        ("2,,2", "'' in '2,,2' is not a whole number"),
        ("  3 ;4", "'3 ;4' in '  3 ;4' is not a whole number"),
        ("65", "65 in '65' is out of range"),
        ("1000000", "1000000 in '1000000' is out of range"),
        (",".join(["2"] * 9), "has 9 layers"),
        ("2" * 300, "not short text"),
        ("", "got an empty value"),
        ("  ", "got an empty value"),
    ],
)
def test_parse_hidden_rejects_bad_text_naming_it_and_the_caps(text, detail):
    with pytest.raises(ValueError) as err:
        parse_hidden(text)
    message = str(err.value)
    assert detail in message
    assert f"up to {MAX_HIDDEN_LAYERS}" in message and f"from 1 to {MAX_WIDTH}" in message


@pytest.mark.parametrize(
    "value", [0, -0.5, math.nan, math.inf, "abc", None, True, 1e6, 1e-7, "٣", "inf", "1_0"]
)
def test_check_learning_rate_rejects_values_outside_1e_6_to_1000(value):
    with pytest.raises(ValueError, match=f"must be a number from 1e-06 to 1000, got {value!r}"):
        check_learning_rate(value)


def test_check_learning_rate_accepts_numbers_and_numeric_text():
    assert check_learning_rate(0.5) == 0.5 and check_learning_rate("2") == 2.0
    assert check_learning_rate("1e-6") == 1e-6 and check_learning_rate("1E+3") == 1000.0


@pytest.mark.parametrize(
    "params",
    [{"hidden": "２,٣"}, {"seed": "٣"}, {"lr": "٠.٥"}, {"hidden": "2,𝟚"}],
)
def test_link_parameters_take_ascii_digits_only(params):
    settings, warnings = settings_from_query(params)
    assert settings == Settings() and len(warnings) == 1


def test_an_echoed_link_value_is_cut_to_about_40_characters():
    _, warnings = settings_from_query({"speed": "x" * 150, "dataset": "y" * 150})
    assert all("x" * 38 not in w and "y" * 38 not in w and "…" in w for w in warnings)


@pytest.mark.parametrize("value", [-1, 2**32, 1.5, "7", None])
def test_check_seed_rejects_values_outside_0_to_2_32(value):
    with pytest.raises(ValueError, match="seed must be a whole number"):
        check_seed(value)


def test_a_link_without_parameters_gives_the_reference_experiment():
    settings, warnings = settings_from_query({})
    assert settings == Settings() and settings.hidden_text == "2, 2" and not warnings
    assert (settings.learning_rate, settings.activation, settings.seed) == (0.5, "sigmoid", 0)
    assert (settings.lecture, settings.pace, settings.hide) == (False, "max", ())
    assert not settings.stops_when_solved


def test_unknown_choices_are_refused_naming_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'; allowed: sigmoid"):
        check_choice("activation", "swish", ["sigmoid", "tanh"])


# A value other than the default for every setting, and a text no parser takes. Adding a
# setting to the schema means adding it here: the walk below fails until it is.
SAMPLES = {
    "dataset": "full_adder",
    "hidden": (3, 1),
    "learning_rate": 0.125,
    "activation": "tanh",
    "cost": "cross_entropy",
    "init": "he",
    "seed": 7,
    "noise": 20,
    "train": 70,
    "data_seed": 3,
    "features": ("x1", "x1x2", "sin_x2"),
    "batch": 2,
    "regularization": "l2",
    "rate": 0.03,
    "show_test": True,
    "discretize": True,
    "speed": "100",
    "decade": 10,
    "lecture": True,
    "hide": ("speed", "reset"),
    "stop_solved": True,
    "log_epochs": True,
}
BAD = "x" * 3 + "!"


def test_every_setting_in_the_schema_has_a_sample_value():
    assert set(SAMPLES) == {s.field for s in SCHEMA} == set(Settings.__dataclass_fields__)


@pytest.mark.parametrize("setting", SCHEMA, ids=lambda s: s.field)
def test_every_setting_travels_in_a_link_and_back(setting):
    base = Settings(dataset="spiral") if setting.points else Settings()
    changed = base.with_(**{setting.field: SAMPLES[setting.field]})
    query = settings_to_query(changed)
    assert query[setting.url] == setting.write(SAMPLES[setting.field])
    again, warnings = settings_from_query(query)
    assert again == changed and not warnings


@pytest.mark.parametrize("setting", [s for s in SCHEMA if s.widget], ids=lambda s: s.field)
def test_every_control_shows_its_setting_and_reads_it_back(setting):
    base = Settings(dataset="spiral") if setting.points else Settings()
    changed = base.with_(**{setting.field: SAMPLES[setting.field]})
    shown_value = widget_values(changed).get(setting.widget, setting.widget_value(changed))
    assert setting.read_widget(shown_value) == SAMPLES[setting.field]


@pytest.mark.parametrize("setting", SCHEMA, ids=lambda s: s.field)
def test_a_bad_value_in_a_link_falls_back_to_the_default_with_a_warning_naming_it(setting):
    settings, warnings = settings_from_query({setting.url: BAD})
    assert getattr(settings, setting.field) == setting.default
    (warning,) = warnings
    assert warning.startswith(f"URL parameter {setting.url}") and "'xxx!'" in warning
    assert "using the default instead" in warning


@pytest.mark.parametrize("setting", SCHEMA, ids=lambda s: s.field)
def test_a_change_rebuilds_the_network_exactly_when_the_schema_says_so(setting):
    base = Settings(dataset="spiral") if setting.points else Settings()
    run = Run(base)
    run.train(3, None)
    generation = run.generation
    changed = run.apply(base.with_(**{setting.field: SAMPLES[setting.field]}))
    if setting.rebuild:
        assert run.generation == generation + 1 and run.epoch == 0
        assert changed.startswith(setting.name)
    else:
        assert run.generation == generation and run.epoch == 3 and changed is None
    assert getattr(run.settings, setting.field) == SAMPLES[setting.field]
