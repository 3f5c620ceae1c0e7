"""The chain rule page's derivation: its forms, their costs, their factors, and the page."""

import numpy as np
import pytest

from backprop_core import Network, datasets, diagnostics
from dashboard.components.nudge import PICKED
from dashboard.teaching import chain
from dashboard.teaching.stepper import build_steps
from tests.apptest_helpers import lab_of, metric, number, run_app, run_of, shown

PAGE = "pages/6_Chain_rule.py"


def test_the_first_form_is_the_derivations_nested_sums_for_a_weight_two_layers_back():
    ((first, *_),) = [chain.derivation([2, 2, 2, 2], 0, bias=False)]
    eq = first.equation
    assert eq.startswith(r"\frac{\partial C}{\partial w^{1}_{ij}} = \sum_{q} \sum_{p}")
    for factor in (r"w^{3}_{qp}", r"w^{2}_{jq}", r"\partial a^{1}_{j}", "a^{0}_{i}"):
        assert factor in eq
    assert "a^{0}_{i}" not in chain.derivation([2, 2, 2, 2], 0, bias=True)[0].equation


def test_each_form_costs_fewer_multiplications_and_backprop_ends_it():
    counts = [s.multiplications for s in chain.derivation([2, 8, 8, 8, 8, 1], 0, bias=False)]
    assert counts == sorted(counts, reverse=True) and counts[0] > 20 * counts[-1]
    assert chain.stage_counts([2, 2, 2, 2], 2) == [2, 2, 2, 2]  # an output weight: one path
    last = chain.derivation([2, 2, 2, 2], 0, bias=False)[-1].equation
    assert r"\delta^{2}_{q} &= \Big( \sum_{p} w^{3}_{qp} \delta^{3}_{p} \Big)" in last
    assert r"&= \delta^{1}_{j} a^{0}_{i}" in last


def test_every_factor_shown_is_the_steppers_value_for_the_same_row():
    net = Network([2, 3, 2, 2], seed=2)
    X, T = datasets.half_adder()
    found = chain.factors(net, X[1], T[1], 0, 1, 2)
    steps = build_steps(net, X[1], T[1], 0.5)
    gradient = next(s for s in steps if s.title.startswith("Gradient of layer 1"))
    assert found.gradient == gradient.values["∂C/∂W¹"][1, 2]
    delta_out = next(s for s in steps if s.title.startswith("Backward: output delta"))
    body = delta_out.numbers.rsplit(r"\begin{bmatrix}", 1)[1]  # the stepper's δᴸ, as printed
    assert body in found.lines[0]


def test_path_names_count_from_one_and_name_their_layers():
    assert chain.path_name(np.array([0, 1, 0]), 0, 4) == "hidden 1: 1 → hidden 2: 2 → output: 1"


def test_the_page_picks_a_clicked_weight_and_its_paths_sum_to_backprop():
    main = run_app()  # the same session, which picked W²[2, 1] by a click
    at = run_app(PAGE, **lab_of(main), **{PICKED: (1, "weight", 1, 0)})
    assert not at.exception
    assert [h.value for h in at.header][0] == "The chain rule for W²[2, 1]"
    run = run_of(at)
    X, T = run.data.X, run.data.T
    row = at.selectbox(key="cr_row").value
    expected = run.network.gradients(X[row : row + 1], T[row : row + 1]).weights[1][1, 0]
    assert number(metric(at, "∂Cₓ/∂w on this row")) == pytest.approx(expected, rel=1e-5)
    assert any("is backprop's" in c for c in shown(at.caption))


def test_the_trick_steps_keep_the_value_and_cut_the_work_then_link_the_stepper():
    at = run_app(PAGE)
    values, work = [], []
    for step in range(4):
        values.append(metric(at, "∂Cₓ/∂w on this row"))
        work.append(int(metric(at, "Multiplications for it").replace(",", "")))
        if step < 3:
            at.button(key="cr_next").click().run()
    assert len(set(values)) == 1 and work == sorted(work, reverse=True)
    assert at.button(key="cr_to_stepper")


def test_the_largest_network_samples_its_paths_and_says_so():
    main = run_app()
    main.text_input(key="hidden_layers").input("64, 64, 64, 64, 64, 64, 64, 64").run()
    at = run_app(PAGE, **lab_of(main))
    assert not at.exception
    assert any("a sample, whose sum is not the gradient" in i for i in shown(at.info))


def test_a_paths_listed_factors_multiply_to_its_product():
    net = Network([2, 3, 2, 2], seed=5)
    X, T = datasets.half_adder()
    terms = diagnostics.path_terms(net, X[2], T[2], 0, 1, 2)
    for k in chain.strongest(terms, 3):
        text = chain.path_factors(net, X[2], T[2], 0, 1, terms.paths[k])
        values = [number(part.split(" ")[-1]) for part in text.split(" × ")]
        assert len(values) == 2 + 2 * 2 and np.prod(values) == pytest.approx(
            terms.products[k], rel=0.01
        )
