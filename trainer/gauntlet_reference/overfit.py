"""mode `overfit_check`: can the model drive the loss on ONE fixed tiny batch to ~0? If not, the implementation (or
the data pipeline) is broken, whatever a sweep would say. A failed check is a clean result: status "failed",
details.passed false, exit 0 — the orchestrator's gate decides what happens next."""
import math
import time

import torch
from torch.nn import functional as F

from gauntlet_trainer import load_dataset
from gauntlet_trainer.contract import OVERFIT_DEFAULTS
from gauntlet_trainer.errors import BadInput
from gauntlet_trainer.torch_utils import make_deterministic

from .batches import split_tensors
from .hparams import parse_hyperparameters
from .model import build_model, build_optimizer, build_scheduler, constant_lr, model_config

CURVE_INLINE_MAX = 500  # longer curves go to an artifact instead of details (result.json stays small)
FLUSH_EVERY = 50


def run_overfit_check(session):
    job = session.job
    hp = parse_hyperparameters(job["hyperparameters"])
    settings = job["overfit"] or dict(OVERFIT_DEFAULTS)
    schedule = job["schedule"]
    if schedule is not None and schedule["kind"] == "range_test":
        raise BadInput("schedule.kind", "'range_test' is only valid for mode lr_range_test")
    device = session.device
    make_deterministic(job["seed"], device)
    dataset = load_dataset(session.store, job["data"])
    x_train, y_train, _ = split_tensors(dataset, "train", hp["inputScale"], device, "data.splitUri")

    generator = torch.Generator().manual_seed(job["seed"])  # the batch depends on the seed only
    pick = torch.randperm(len(y_train), generator=generator)[:settings["batchSize"]].to(device)
    inputs, labels = x_train[pick], y_train[pick]
    model = build_model(model_config(x_train.shape[1], job["data"]["numClasses"], hp)).to(device)
    optimizer = build_optimizer(model.parameters(), hp, constant_lr(schedule, hp))
    scheduler = build_scheduler(schedule, optimizer, settings["maxSteps"])

    curve, passed = [], False
    model.train()
    for step in range(settings["maxSteps"]):
        targets = labels
        if hp["shuffleLabels"]:  # test knob: a fresh wrong pairing every time the batch is "loaded"
            targets = labels[torch.randperm(len(labels), generator=generator).to(device)]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inputs), targets)
        value = loss.item()
        curve.append(value)
        session.report_metric("overfit_loss", value, step=step, split="train")
        if value < settings["lossThreshold"]:
            passed = True
            break
        if not math.isfinite(value):
            break  # diverged: no later step can recover
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        if hp["slowdownSeconds"] and step % 10 == 9:
            time.sleep(hp["slowdownSeconds"])
        if step % FLUSH_EVERY == FLUSH_EVERY - 1:
            session.flush_events()

    details = {"passed": passed, "batchSize": len(labels), "lossThreshold": settings["lossThreshold"],
               "maxSteps": settings["maxSteps"]}
    artifacts = {}
    rounded = [round(v, 6) if math.isfinite(v) else None for v in curve]
    if len(curve) <= CURVE_INLINE_MAX:
        details["curve"] = rounded
    else:
        artifacts["curve"] = session.put_json("overfit_curve.json", rounded)
    verdict = "passed" if passed else "FAILED"
    session.log(f"overfit check {verdict}: loss {curve[-1]:.4g} after {len(curve)} steps "
                f"(threshold {settings['lossThreshold']})", "info" if passed else "warning")
    return session.write_result(status="succeeded" if passed else "failed",
                                metrics={"final_loss": curve[-1], "steps": len(curve)},
                                artifacts=artifacts, details=details)
