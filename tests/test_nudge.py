"""Picking a parameter by a click and nudging it in place, with the tangent's check and Undo."""

import pytest

from dashboard.components.nudge import PICKED
from dashboard.teaching.inside import parameter_at, parameter_index, parameter_name
from tests.apptest_helpers import metric, number, run_app, run_of, shown, worker_of

PICK = (1, "weight", 1, 0)  # W²[2, 1] of the 2-2-2-2 half adder


def test_parameter_at_inverts_parameter_index_for_every_weight_and_bias():
    sizes = [3, 4, 2]
    every = [
        (l, kind, i, j)
        for l, (m, n) in enumerate(zip(sizes, sizes[1:]))
        for kind, rows in (("weight", m), ("bias", 1))
        for i in range(rows)
        for j in range(n)
    ]
    indices = [parameter_index(sizes, *p) for p in every]
    assert sorted(indices) == list(range(3 * 4 + 4 + 4 * 2 + 2))
    assert [parameter_at(sizes, k) for k in indices] == every
    with pytest.raises(ValueError):
        parameter_at(sizes, len(indices))


def test_parameter_names_count_from_one_with_the_layer_as_a_superscript():
    assert parameter_name(1, "weight", 1, 0) == "W²[2, 1]"
    assert parameter_name(0, "bias", 0, 2) == "b¹[3]"


def test_a_picked_weight_is_edited_in_place_while_paused_and_undone():
    at = run_app(**{PICKED: PICK})
    run = run_of(at)
    index = parameter_index(run.network.sizes, *PICK)
    old = float(run.network.params[index])
    assert "Edit W²[2, 1] in place" in [h.value for h in at.subheader]
    at.number_input(key=f"edit_value_{index}").set_value(old + 0.01).run()
    predicted, actual = (
        number(m.value) for m in at.metric if m.label in ("Predicted ΔC (∂C/∂w · Δw)", "Actual ΔC")
    )
    assert predicted == pytest.approx(actual, rel=0.05)
    cost_before = run.network.cost(run.data.X, run.data.T)
    at.button(key="edit_apply").click().run()
    assert run.network.params[index] == pytest.approx(old + 0.01) and len(run.nudges) == 1
    assert any(f"Set the weight W²[2, 1] from {old:.4g}" in t for t in shown(at.info))
    assert number(metric(at, "Cost")) == pytest.approx(cost_before + actual, rel=1e-3)  # redrawn
    at.button(key="edit_undo").click().run()
    assert run.network.params[index] == old and not run.nudges
    assert any(f"Put the weight W²[2, 1] back to {old:.4g}" in t for t in shown(at.info))
    at.button(key="edit_done").click().run()
    assert not any(h.value.startswith("Edit ") for h in at.subheader)


def test_the_edit_in_place_waits_while_a_rewound_network_is_shown():
    at = run_app(**{PICKED: PICK})
    worker_of(at).step(5)
    at.toggle(key="rewind_on").set_value(True).run()
    assert any("go back to the live network to edit it here" in t for t in shown(at.info))
    assert not any(h.value.startswith("Edit ") for h in at.subheader)


def test_a_pick_from_an_older_network_that_no_longer_fits_is_ignored():
    at = run_app(**{PICKED: (5, "weight", 9, 9)})
    assert not at.exception
    assert not any(h.value.startswith("Edit ") for h in at.subheader)
