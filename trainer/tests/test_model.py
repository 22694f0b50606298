"""The reference trainer's building blocks, without storage: schedule mapping, knobs, hyperparameter checks."""
import pytest
import torch

from gauntlet_reference.batches import batches
from gauntlet_reference.hparams import parse_hyperparameters
from gauntlet_reference.model import build_optimizer, build_scheduler
from gauntlet_trainer import BadInput, validate_schedule


def sgd(hp=None, lr=0.1):
    model = torch.nn.Linear(4, 3)
    return model, build_optimizer(model.parameters(), parse_hyperparameters(hp or {}), lr)


def test_one_cycle_maps_every_option():
    _, optimizer = sgd()
    schedule = validate_schedule({"kind": "one_cycle", "maxLr": 1.0, "pctStart": 0.25, "annealStrategy": "linear",
                                  "divFactor": 10, "finalDivFactor": 100, "threePhase": True, "cycleMomentum": True,
                                  "baseMomentum": 0.8, "maxMomentum": 0.9})
    scheduler = build_scheduler(schedule, optimizer, total_steps=40)
    group = optimizer.param_groups[0]
    assert scheduler.total_steps == 40 and len(scheduler._schedule_phases) == 3  # three_phase
    assert group["lr"] == pytest.approx(0.1) and group["max_lr"] == 1.0 and group["min_lr"] == pytest.approx(0.001)
    assert group["momentum"] == pytest.approx(0.9)  # starts at max momentum while the LR is low
    lrs = [group["lr"]]  # lrs[i]: the LR used by step i
    for _ in range(39):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    assert max(lrs) == lrs[9] == pytest.approx(1.0)  # the warm-up phase ends at step pctStart * 40 - 1
    assert lrs[4] == pytest.approx(0.1 + (1.0 - 0.1) * 4 / 9)  # linear anneal, not cosine
    assert lrs[18] == pytest.approx(0.1)  # three phases: back to the initial LR (step 2 * 10 - 2), then to min_lr
    assert lrs[-1] == pytest.approx(0.001)


def test_constant_schedule_has_no_scheduler_and_range_test_is_refused():
    _, optimizer = sgd()
    assert build_scheduler({"kind": "constant", "lr": 0.1}, optimizer, 10) is None
    with pytest.raises(BadInput) as caught:
        build_scheduler(validate_schedule({"kind": "range_test"}), optimizer, 10)
    assert caught.value.field == "schedule.kind"


def test_freeze_never_changes_parameters_even_under_one_cycle():
    model, optimizer = sgd({"freeze": True})
    before = [p.clone() for p in model.parameters()]
    scheduler = build_scheduler(validate_schedule({"kind": "one_cycle", "maxLr": 1.0}), optimizer, 5)
    for _ in range(5):
        torch.nn.functional.cross_entropy(model(torch.randn(8, 4)), torch.zeros(8, dtype=torch.long)).backward()
        optimizer.step()
        scheduler.step()
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_shuffle_labels_breaks_the_pairing_but_keeps_the_labels():
    inputs, labels = torch.arange(64.0).unsqueeze(1), torch.arange(64)
    [(x, y)] = list(batches(inputs, labels, 64, torch.Generator().manual_seed(0), shuffle_labels=True))
    assert sorted(y.tolist()) == list(range(64)) and (x.squeeze(1).long() != y).sum() > 50
    [(x, y)] = list(batches(inputs, labels, 64, torch.Generator().manual_seed(0)))
    assert torch.equal(x.squeeze(1).long(), y)


@pytest.mark.parametrize("values, field", [
    ({"hidden": 0}, "hyperparameters.hidden"),
    ({"dropout": 1}, "hyperparameters.dropout"),
    ({"optimizer": "rmsprop"}, "hyperparameters.optimizer"),
    ({"nesterov": True, "momentum": 0}, "hyperparameters.nesterov"),
    ({"hiden": 64}, "hyperparameters.hiden"),
])
def test_hyperparameter_errors_name_the_key(values, field):
    with pytest.raises(BadInput) as caught:
        parse_hyperparameters(values)
    assert caught.value.field == field
