"""The fit's numerical core: Newton's method must find the minimum, not run away from it."""
from __future__ import annotations

import math

import numpy as np

from scripts.fit_faq_thresholds import _newton, fit_logistic, fit_softmax


def test_newton_with_halved_steps_finds_a_minimum_a_full_step_overshoots():
    # sqrt(1 + (w - 2)²) is convex with its minimum at 2; from 0 a full Newton step lands at
    # 2 + 8 and every later one three times further out (w - 2 → -(w - 2)³).
    def loss(w):
        return math.sqrt(1 + (w[0] - 2) ** 2)

    def derivatives(w):
        d = w[0] - 2
        return np.array([d / math.sqrt(1 + d * d)]), np.array([[(1 + d * d) ** -1.5]])

    assert abs(_newton(loss, derivatives, 1)[0] - 2) < 1e-6


def test_the_ranker_prefers_the_right_candidate():
    rng = np.random.default_rng(7)
    groups = []
    for _ in range(60):
        rows = rng.normal(size=(6, 3))
        rows[0, 0] += 2.0   # the right entry scores higher on the first feature
        groups.append((rows, 0))
    weights = fit_softmax(groups, 3)
    assert weights[0] > 1.0
    assert abs(weights[1]) < weights[0] / 3 and abs(weights[2]) < weights[0] / 3
    # Noise keeps some wrong entries ahead; the fitted weights rank as the true rule does.
    first = sum(int(np.argmax(rows @ weights) == gold) for rows, gold in groups)
    by_rule = sum(int(np.argmax(rows[:, 0]) == gold) for rows, gold in groups)
    assert first >= by_rule - 2


def test_the_logistic_fit_reads_a_probability_from_a_score():
    x = np.array([[-2.0], [-1.0], [-0.5], [0.5], [1.0], [2.0], [-1.5], [1.5]])
    y = np.array([0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    bias, weights = fit_logistic(x, y)
    assert weights[0] > 0
    assert 1 / (1 + math.exp(-(bias + 2.0 * weights[0]))) > 0.7
