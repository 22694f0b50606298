"""LR range test (Leslie Smith): ramp the learning rate exponentially over `num_steps` batches, record the loss,
stop when it diverges. The orchestrator (core/) turns the curve into suggestions; this only measures."""
import contextlib
import copy
import math
from dataclasses import dataclass, field


@dataclass
class RangeTestResult:
    points: list = field(default_factory=list)  # [{"lr": float, "loss": float | None}] raw (unsmoothed) losses
    stopped_early: bool = False

    @property
    def num_steps(self) -> int:
        return len(self.points)


def lr_at(step: int, start_lr: float, end_lr: float, num_steps: int) -> float:
    """Exponential ramp: start_lr at step 0, end_lr at step num_steps - 1."""
    return start_lr * (end_lr / start_lr) ** (step / max(num_steps - 1, 1))


def lr_range_test(model, loader, loss_fn, optimizer_factory, start_lr=1e-7, end_lr=10.0, num_steps=100,
                  diverge_factor=4.0, *, device=None, on_point=None, smoothing=0.98, restore_weights=True,
                  autocast=None, scaler=None):
    """Run the test and return a RangeTestResult.

    loader: iterable of (inputs, targets) batches, re-iterated when exhausted.
    optimizer_factory(params, lr) -> torch optimizer; its lr is overwritten every step.
    on_point(step, lr, loss): called once per step (e.g. Session.report_lr_point).
    Divergence: stop after the first step whose raw loss is non-finite or > diverge_factor x the best smoothed loss
    (bias-corrected exponential moving average, as in fastai); the diverging point is part of the curve.
    restore_weights: put the model back as it was, so the test leaves no trace on a model trained afterwards.
    autocast: optional zero-argument callable returning the context manager the forward pass runs in (mixed
    precision, e.g. `lambda: torch.autocast("cuda", dtype=torch.float16)`); scaler: an optional enabled
    torch GradScaler that the backward pass and optimizer step go through.
    """
    if num_steps < 2 or not 0 < start_lr < end_lr:
        raise ValueError("need num_steps >= 2 and 0 < start_lr < end_lr")
    saved = copy.deepcopy(model.state_dict()) if restore_weights else None
    optimizer = optimizer_factory(model.parameters(), start_lr)
    result = RangeTestResult()
    average, best = 0.0, math.inf
    batches = _cycle(loader)
    model.train()
    for step in range(num_steps):
        lr = lr_at(step, start_lr, end_lr, num_steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, targets = next(batches)
        if device is not None:
            inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        with autocast() if autocast is not None else contextlib.nullcontext():
            loss = loss_fn(model(inputs), targets)
        value = float(loss.detach())
        finite = math.isfinite(value)
        result.points.append({"lr": lr, "loss": value if finite else None})
        if on_point is not None:
            on_point(step, lr, value)
        if not finite:
            result.stopped_early = step < num_steps - 1
            break
        average = smoothing * average + (1 - smoothing) * value
        smoothed = average / (1 - smoothing ** (step + 1))
        if step > 0 and value > diverge_factor * best:
            result.stopped_early = step < num_steps - 1
            break
        best = min(best, smoothed)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
    if saved is not None:
        model.load_state_dict(saved)
    return result


def _cycle(loader):
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("the loader yielded no batches")
