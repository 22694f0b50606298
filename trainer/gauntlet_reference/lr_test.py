"""mode `lr_range_test`: the library's lr_range_test on a fresh model over shuffled train batches; the curve goes to
`<prefix>lr_curve.json` as [{"lr", "loss"}] (raw losses; core/ computes the suggestions)."""
import math
import time

from torch.nn import functional as F

from gauntlet_trainer import load_dataset, lr_range_test, validate_schedule
from gauntlet_trainer.errors import BadInput
from gauntlet_trainer.torch_utils import epoch_generator, make_deterministic

from .batches import batches, split_tensors
from .hparams import parse_hyperparameters
from .model import build_model, build_optimizer, model_config

FLUSH_EVERY = 50  # steps between rewrites of events.jsonl


class _ShuffledPasses:
    """Re-iterable train batches; pass k is shuffled by (seed, k) so the test is reproducible."""

    def __init__(self, inputs, labels, batch_size, seed, shuffle_labels):
        self.args, self.seed, self.shuffle_labels, self.passes = (inputs, labels, batch_size), seed, shuffle_labels, 0

    def __iter__(self):
        self.passes += 1
        return batches(*self.args, epoch_generator(self.seed, self.passes), self.shuffle_labels)


def run_lr_range_test(session):
    job = session.job
    hp = parse_hyperparameters(job["hyperparameters"])
    schedule = job["schedule"] or validate_schedule({"kind": "range_test"})
    if schedule["kind"] != "range_test":
        raise BadInput("schedule.kind", f"mode lr_range_test needs a 'range_test' schedule, got {schedule['kind']!r}")
    if schedule["endLr"] <= schedule["startLr"]:
        raise BadInput("schedule.endLr", f"must be greater than schedule.startLr ({schedule['startLr']})")
    device = session.device
    make_deterministic(job["seed"], device)
    dataset = load_dataset(session.store, job["data"])
    x_train, y_train, _ = split_tensors(dataset, "train", hp["inputScale"], device, "data.splitUri")
    model = build_model(model_config(x_train.shape[1], job["data"]["numClasses"], hp)).to(device)

    def on_point(step, lr, loss):
        session.report_lr_point(step, lr, loss)
        if hp["slowdownSeconds"] and step % 10 == 9:
            time.sleep(hp["slowdownSeconds"])  # test knob
        if step % FLUSH_EVERY == FLUSH_EVERY - 1:
            session.flush_events()

    result = lr_range_test(
        model, _ShuffledPasses(x_train, y_train, job["batchSize"], job["seed"], hp["shuffleLabels"]), F.cross_entropy,
        lambda params, lr: build_optimizer(params, hp, lr),
        start_lr=schedule["startLr"], end_lr=schedule["endLr"], num_steps=schedule["numSteps"],
        diverge_factor=schedule["divergeFactor"], on_point=on_point, restore_weights=False)

    curve_uri = session.put_json("lr_curve.json", result.points)
    finite = [p for p in result.points if p["loss"] is not None and math.isfinite(p["loss"])]
    best = min(finite, key=lambda p: p["loss"]) if finite else None
    session.log(f"LR range test: {result.num_steps} steps" + (", stopped on divergence" if result.stopped_early else ""))
    return session.write_result(
        metrics={"steps": result.num_steps, "min_loss": best and best["loss"], "lr_at_min_loss": best and best["lr"]},
        artifacts={"curve": curve_uri},
        details={"numSteps": result.num_steps, "plannedSteps": schedule["numSteps"],
                 "stoppedEarly": result.stopped_early, "startLr": schedule["startLr"], "endLr": schedule["endLr"],
                 "divergeFactor": schedule["divergeFactor"], "batchSize": job["batchSize"]},
    )
