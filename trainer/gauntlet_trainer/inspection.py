"""Mode `inspect`: statistics of the tensors a model really sees — after the trainer's own preprocessing, paired with
the labels the trainer pairs them with — so the orchestrator can compare them with the raw CSV (core/data/
preprocessing.ts: normalization applied twice, inputs that are all zero, NaN/Inf, labels shifted against inputs).

A trainer does its preprocessing, hands the result to `write_inspection`, and is done; the statistics are numpy
(float64 over float32 inputs), computed on the CPU, independent of torch. `<prefix>inspect.json` (artifact
`inspection`):

    {"split": "train", "rows": n, "order": "training" | "split", "preprocessing": "Scale(factor=16)" | null,
     "features": [{"name", "mean", "std", "min", "max", "nan", "inf"}],
     "constantShare": x,
     "labels": {"counts": {"0": n0, ...}, "missing": m},
     "classMeans": {"0": [per-feature mean of the inputs paired with label 0], ...},
     "sample": [{"row": i, "label": y | null, "input": [...]}]}

- `features[i]`: mean, population std, min and max over the FINITE values of input column i (null when it has none);
  `nan` / `inf` count the others. `name` is the CSV column the input came from when the preprocessing keeps one input
  per column, else `x<i>`.
- `constantShare`: the share of input columns that take a single finite value (or none at all).
- `labels.counts`: rows per class index (every class of data.numClasses, zeros included); `missing`: rows without a
  label (a CSV cell left empty; inspect, like predict, does not need labels).
- `classMeans`: per class that has rows, the per-column mean of the inputs the trainer pairs with that label (finite
  values): when labels no longer line up with their inputs, these stop differing.
- `order`: "training" when the rows are in the order (and label pairing) of the trainer's first training epoch (split
  `train`: the trainer's own batching is replayed over row positions, so a bug or knob that moves labels against
  inputs shows up); "split" otherwise (the split manifest's order, as evaluate and predict see it).
- `sample`: the first <= 16 rows in that order, their label and input as the model gets it.
Numbers have 6 significant digits; non-finite numbers are null (JSON has none).
"""
import math

import numpy as np

SAMPLE_ROWS = 16
DIGITS = 6
ARTIFACT = "inspect.json"


def _number(value):
    value = float(value)
    return float(f"{value:.{DIGITS}g}") if math.isfinite(value) else None


def _array(values, dtype=np.float64):
    if hasattr(values, "detach"):  # a torch tensor, wherever it lives
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=dtype)


def inspection(inputs, labels, rows, feature_names=None, split="train", num_classes=None, order="split",
               preprocessing=None, sample_rows=SAMPLE_ROWS, missing_label=-1) -> dict:
    """The inspect.json document for `inputs` ([rows, features], as the model gets them), the labels paired with them
    (missing_label where there is none) and their data-set row indices."""
    x = _array(inputs)
    if x.ndim == 1:
        x = x[:, None]
    x = x.reshape(len(x), -1)  # an image-shaped preprocessing output is inspected per element
    y = _array(labels, np.int64).reshape(-1)
    rows = _array(rows, np.int64).reshape(-1)
    if not len(x) == len(y) == len(rows):
        raise ValueError(f"inputs ({len(x)}), labels ({len(y)}) and rows ({len(rows)}) must have the same length")
    count, width = x.shape
    names = list(feature_names) if feature_names is not None and len(feature_names) == width else \
        [f"x{i}" for i in range(width)]

    finite = np.isfinite(x)
    values = np.where(finite, x, 0.0)
    n = finite.sum(axis=0)
    safe_n = np.maximum(n, 1)
    mean = values.sum(axis=0) / safe_n
    std = np.sqrt((np.where(finite, x - mean, 0.0) ** 2).sum(axis=0) / safe_n)
    low = np.where(finite, x, np.inf).min(axis=0, initial=np.inf)
    high = np.where(finite, x, -np.inf).max(axis=0, initial=-np.inf)
    nan = np.isnan(x).sum(axis=0)
    inf = np.isinf(x).sum(axis=0)
    features = [
        {"name": str(names[i]), "mean": _number(mean[i]) if n[i] else None, "std": _number(std[i]) if n[i] else None,
         "min": _number(low[i]) if n[i] else None, "max": _number(high[i]) if n[i] else None,
         "nan": int(nan[i]), "inf": int(inf[i])}
        for i in range(width)
    ]
    constant = (n == 0) | (high <= low)

    labelled = y != missing_label
    classes = sorted(set(y[labelled].tolist()))
    all_classes = range(num_classes) if num_classes else classes
    counts = {str(k): int((y == k).sum()) for k in sorted(set(all_classes) | set(classes))}
    class_means = {}
    for k in classes:
        member = y == k
        k_finite = finite[member]
        k_n = k_finite.sum(axis=0)
        k_mean = values[member].sum(axis=0) / np.maximum(k_n, 1)
        class_means[str(k)] = [_number(m) if c else None for m, c in zip(k_mean, k_n)]

    sample = [
        {"row": int(rows[i]), "label": int(y[i]) if labelled[i] else None, "input": [_number(v) for v in x[i]]}
        for i in range(min(sample_rows, count))
    ]
    return {
        "split": split, "rows": int(count), "order": order, "preprocessing": preprocessing,
        "features": features,
        "constantShare": _number(constant.mean()) if width else 0.0,
        "labels": {"counts": counts, "missing": int((~labelled).sum())},
        "classMeans": class_means,
        "sample": sample,
    }


def in_training_order(inputs, labels, rows, batches):
    """(inputs, labels, rows) in the order and label pairing of one training epoch. `batches(positions, labels)` is
    the trainer's own batch iterator, called with row positions standing in for the inputs: whatever it does to the
    labels (a shuffle, a bug, the reference trainer's shuffleLabels knob) shows up in the pairing. Its random draws
    do not depend on what the inputs hold, so this is the very order training uses."""
    import torch

    positions = torch.arange(len(labels))
    taken, paired = [], []
    for batch_positions, batch_labels in batches(positions, labels):
        taken.append(batch_positions.reshape(-1).cpu())
        paired.append(batch_labels.reshape(-1).cpu())
    order = torch.cat(taken) if taken else positions[:0]
    return inputs[order.to(inputs.device)], torch.cat(paired) if paired else labels[:0], \
        np.asarray(rows)[order.numpy()]


def describe_preprocessing(preprocess, state) -> str:
    """"Scale(factor=16)", "Standardize(mean=<30 values>, std=<30 values>)", "my_function": what the inputs went
    through, for people reading inspect.json."""
    if preprocess is None:
        return "none"
    name = getattr(preprocess, "function", preprocess)
    name = getattr(name, "__name__", None) or type(preprocess).__name__
    parts = []
    for key, value in (state or {}).items():
        size = getattr(value, "numel", None)
        if size is not None and size() != 1:
            parts.append(f"{key}=<{size()} values>")
        else:
            try:
                parts.append(f"{key}={float(value):g}")
            except (TypeError, ValueError):
                parts.append(f"{key}=<{type(value).__name__}>")
    return f"{name}({', '.join(parts)})" if parts else name


def write_inspection(session, inputs, labels, rows, feature_names, order="split", preprocessing=None):
    """Compute inspect.json for job.split, store it and write the result: metrics `rows`, `features`, `nan`, `inf`,
    `constant_share`, `median_std` (of the input columns), artifact `inspection`, small details."""
    job = session.job
    document = inspection(inputs, labels, rows, feature_names, split=job["split"],
                          num_classes=job["data"]["numClasses"], order=order, preprocessing=preprocessing)
    uri = session.put_json(ARTIFACT, document)
    features = document["features"]
    stds = [f["std"] for f in features if f["std"] is not None]
    nan, inf = sum(f["nan"] for f in features), sum(f["inf"] for f in features)
    metrics = {"rows": document["rows"], "features": len(features), "nan": nan, "inf": inf,
               "constant_share": document["constantShare"],
               "median_std": _number(np.median(stds)) if stds else None}
    session.log(f"inspect: {document['rows']} rows x {len(features)} inputs of split {job['split']!r} "
                f"({order} order, preprocessing {preprocessing}): median std {metrics['median_std']}, "
                f"{nan} NaN, {inf} Inf, constant share {document['constantShare']}")
    return session.write_result(
        metrics=metrics, artifacts={"inspection": uri}, device="cpu",
        details={"split": job["split"], "order": order, "preprocessing": preprocessing,
                 "checkpoint": job["checkpoint"], "classes": len(document["classMeans"]),
                 "missingLabels": document["labels"]["missing"]})
