"""A TensorFlow Playground link read as ours: every parameter its state.ts writes is mapped onto
a setting or named in a notice; a bad one falls back alone."""

import pytest

from dashboard.state.playground import from_playground, playground_hash
from dashboard.state.settings import Settings

FULL = (
    "https://playground.tensorflow.org/#activation=relu&batchSize=20&dataset=spiral"
    "&regDataset=reg-plane&learningRate=0.1&regularizationRate=0.003&noise=15"
    "&networkShape=6,3,2&seed=0.67198&showTestData=true&discretize=true&percTrainData=70"
    "&x=true&y=false&xTimesY=true&xSquared=true&ySquared=false&cosX=false&sinX=true"
    "&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false"
    "&hideText=false&regularization=L2"
)


def test_every_parameter_of_a_full_link_maps_onto_a_setting():
    settings, notices = from_playground(FULL)
    assert settings.activation == "relu" and settings.batch == 20
    assert settings.dataset == "spiral" and settings.learning_rate == 0.1
    assert settings.regularization == "l2" and settings.rate == 0.003
    assert settings.noise == 15 and settings.train == 70
    assert settings.hidden == (6, 3, 2)
    assert settings.show_test and settings.discretize
    assert settings.features == ("x1", "x1^2", "x1x2", "sin_x1")
    assert notices == ["Playground seed '0.67198' draws other points than ours; using seed 0."]


def test_what_a_link_leaves_out_takes_the_playgrounds_defaults_not_ours():
    settings, notices = from_playground("#dataset=xor")
    assert (settings.dataset, settings.hidden, settings.activation) == ("xor", (4, 2), "tanh")
    assert (settings.learning_rate, settings.batch, settings.features) == (0.03, 10, ("x1", "x2"))
    assert notices == []


def test_linear_is_our_identity_and_an_empty_network_shape_means_no_hidden_layer():
    settings, _ = from_playground("activation=linear&networkShape=")
    assert settings.activation == "identity" and settings.hidden == ()


@pytest.mark.parametrize(
    "fragment, field, value, said",
    [
        ("activation=softplus", "activation", "tanh", "'softplus' is not one of relu"),
        ("regularization=L3", "regularization", "none", "using none"),
        ("dataset=moons", "dataset", "circle", "'moons' is not one of circle"),
        ("learningRate=abc", "learning_rate", 0.03, "learningRate: learning rate must be"),
        ("batchSize=0", "batch", 10, "batchSize: batch size must be"),
        ("noise=80", "noise", 0, "noise: noise must be a whole percentage from 0 to 50"),
        ("percTrainData=55", "train", 50, "percTrainData: training share must be"),
        ("regularizationRate=0.5", "rate", 0.0, "regularizationRate: regularization rate"),
        ("networkShape=4,x", "hidden", (4, 2), "networkShape:"),
    ],
)
def test_a_malformed_parameter_falls_back_alone_with_a_notice(fragment, field, value, said):
    settings, notices = from_playground(f"#{fragment}&showTestData=true")
    assert getattr(settings, field) == value and settings.show_test
    assert len(notices) == 1 and said in notices[0]


def test_what_has_no_counterpart_gets_a_notice_and_no_error():
    _, notices = from_playground(
        "#cosX=true&cosY=true&collectStats=true&tutorial=dropout&initZero=true&hideText=true"
    )
    text = " | ".join(notices)
    for name in ("cosX", "cosY", "collectStats", "tutorial", "initZero", "hideText"):
        assert name in text
    assert len(notices) == 6


def test_regression_problems_take_the_regression_set():
    assert from_playground("#problem=regression&regDataset=reg-gauss")[0].dataset == "multi_gauss"
    assert from_playground("#problem=regression")[0].dataset == "plane"
    settings, notices = from_playground("#problem=regression&regDataset=reg-maximum")
    assert settings.dataset == "plane" and "reg-maximum" in notices[0]


def test_booleans_read_as_the_playground_does_with_a_notice_for_odd_spellings():
    settings, notices = from_playground("#showTestData=false&discretize=yes")
    assert not settings.show_test and settings.discretize
    assert notices == ["Playground discretize: 'yes' is not true or false; read as true."]


def test_hide_flags_map_onto_ours_and_the_rest_are_named():
    settings, notices = from_playground(
        "#dataset_hide=true&learningRate_hide=true&noise_hide=true&activation_hide=false"
    )
    assert settings.hide == ("dataset", "lr")
    assert notices == [
        "The playground hides noise; here only the dataset and the learning rate can be hidden "
        "(in lecture mode)."
    ]


def test_the_base_keeps_the_mode_and_speed_the_link_does_not_speak_of():
    base = Settings(lecture=True, speed="paced", decade=10, seed=4)
    settings, _ = from_playground("#learningRate=1", base)
    assert (settings.lecture, settings.speed, settings.decade) == (True, "paced", 10)
    assert settings.seed == 4 and settings.learning_rate == 1.0


def test_unknown_parameters_are_summed_up_in_one_notice():
    _, notices = from_playground("#" + "&".join(f"p{i}=1" for i in range(40)))
    assert notices == ["Unknown playground parameters 'p0', 'p1', 'p2' and 37 more; ignored."]


@pytest.mark.parametrize(
    "text", ["https://example.com/page", "hello", "x" * 2001, "https://playground.tensorflow.org/"]
)
def test_text_that_is_no_playground_link_is_refused_with_a_message(text):
    with pytest.raises(ValueError, match="not a playground link|at most 2,000 characters"):
        playground_hash(text)


def test_percent_escapes_in_the_fragment_are_read():
    assert from_playground("networkShape=3%2C3&activation=relu")[0].hidden == (3, 3)
