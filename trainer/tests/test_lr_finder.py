"""The LR range test helper, on a toy problem (no storage)."""
import math

import pytest
import torch

from gauntlet_trainer import lr_range_test
from gauntlet_trainer.lr_finder import lr_at


def toy():
    torch.manual_seed(0)
    inputs = torch.randn(256, 8)
    targets = (inputs[:, 0] > 0).long()
    batches = [(inputs[i:i + 32], targets[i:i + 32]) for i in range(0, 256, 32)]
    return torch.nn.Linear(8, 2), batches


def sgd(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def test_exponential_ramp():
    lrs = [lr_at(step, 1e-4, 1.0, 5) for step in range(5)]
    assert lrs == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_one_point_per_step_and_weights_restored():
    model, batches = toy()
    before = [p.clone() for p in model.parameters()]
    points = []
    result = lr_range_test(model, batches, torch.nn.functional.cross_entropy, sgd, 1e-5, 1e-2, 20, 4,
                           on_point=lambda step, lr, loss: points.append((step, lr, loss)))
    assert not result.stopped_early and result.num_steps == 20 == len(points)
    assert [p[0] for p in points] == list(range(20))
    assert points[0][1] == pytest.approx(1e-5) and points[-1][1] == pytest.approx(1e-2)
    assert [p["loss"] for p in result.points] == [p[2] for p in points]
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_stops_on_divergence():
    model, batches = toy()
    result = lr_range_test(model, batches, torch.nn.functional.cross_entropy, sgd, 1e-4, 1e6, 200, 4)
    assert result.stopped_early and result.num_steps < 200
    last = result.points[-1]["loss"]
    assert last is None or not math.isfinite(last) or last > 4 * min(p["loss"] for p in result.points[:-1])
