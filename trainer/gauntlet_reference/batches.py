"""Tensors for one split and the batches drawn from them (shuffle order and the shuffleLabels knob live here)."""
import math

import torch

from gauntlet_trainer.errors import BadInput


def split_tensors(dataset, split: str, input_scale: float, device, field: str = "split", allow_empty: bool = False):
    """(inputs, labels, rows) of one split on `device`; an empty split is bad input naming `field`, unless allowed
    (k-fold's final model trains on every non-test row and has no validation split)."""
    features, labels, rows = dataset.split(split)
    if len(rows) == 0 and not allow_empty:
        raise BadInput(field, f"split {split!r} of the split manifest is empty")
    inputs = torch.from_numpy(features).div_(input_scale).to(device)
    return inputs, torch.from_numpy(labels).to(device), rows


def num_batches(rows: int, batch_size: int) -> int:
    return math.ceil(rows / batch_size)


def batches(inputs, labels, batch_size, generator=None, shuffle_labels=False):
    """Yield (inputs, labels) batches: in `generator`'s random order when given, else in order (the last one may be
    short). shuffle_labels (test knob) permutes labels within each batch independently of the inputs, with draws from
    the same generator so a broken run is still reproducible."""
    count = len(labels)
    order = torch.randperm(count, generator=generator) if generator is not None else torch.arange(count)
    for start in range(0, count, batch_size):
        index = order[start:start + batch_size].to(inputs.device)
        batch_inputs, batch_labels = inputs[index], labels[index]
        if shuffle_labels:
            batch_labels = batch_labels[torch.randperm(len(index), generator=generator).to(inputs.device)]
        yield batch_inputs, batch_labels


@torch.no_grad()
def predict(model, inputs, batch_size=1024):
    """Logits for all inputs, in eval mode (no dropout: evaluation must not consume the training RNG stream)."""
    model.eval()
    return torch.cat([model(inputs[i:i + batch_size]) for i in range(0, len(inputs), batch_size)])
