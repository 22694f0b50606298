"""modes `evaluate` and `predict`: load job.checkpoint, run it on job.split, store per-row predictions.

evaluate needs labels (metrics accuracy/loss/n, a confusion matrix with rows = true class); predict does not (a label
column, when present, is copied into the predictions for convenience)."""
import torch
from torch.nn import functional as F

from gauntlet_trainer import load_dataset
from gauntlet_trainer.data import MISSING_LABEL
from gauntlet_trainer.torch_utils import make_deterministic

from .batches import predict, split_tensors
from .model import model_from_checkpoint


def run_evaluate(session):
    return _run(session, with_metrics=True)


def run_predict(session):
    return _run(session, with_metrics=False)


def _run(session, with_metrics):
    job = session.job
    device = session.device
    make_deterministic(job["seed"], device)
    dataset = load_dataset(session.store, job["data"], require_labels=with_metrics)
    state = session.load_checkpoint(map_location=device)
    num_classes = job["data"]["numClasses"]
    model = model_from_checkpoint(state, dataset.features.shape[1], num_classes).to(device)
    inputs, labels, rows = split_tensors(dataset, job["split"], state["model_config"]["input_scale"], device)

    logits = predict(model, inputs)
    probabilities = torch.softmax(logits, dim=1)
    predictions = logits.argmax(dim=1)
    records = [
        {"row": int(row), "label": None if int(label) == MISSING_LABEL else int(label), "prediction": int(pred),
         "probabilities": [round(float(p), 6) for p in probs]}
        for row, label, pred, probs in zip(rows, labels.tolist(), predictions.tolist(), probabilities.tolist())
    ]
    artifacts = {"predictions": session.put_json("predictions.json", records)}
    metrics = {"n": len(records)}
    details = {"split": job["split"], "checkpoint": job["checkpoint"]}

    if with_metrics:
        matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64)
        matrix.index_put_((labels.cpu(), predictions.cpu()), torch.ones(len(records), dtype=torch.int64),
                          accumulate=True)
        metrics["accuracy"] = (predictions == labels).double().mean().item()
        metrics["loss"] = F.cross_entropy(logits, labels).item()
        details["confusion_matrix"] = matrix.tolist()
        artifacts["confusion_matrix"] = session.put_json("confusion_matrix.json", {
            "split": job["split"], "rows": "true class", "columns": "predicted class", "matrix": matrix.tolist()})
        for name in ("accuracy", "loss", "n"):
            session.report_metric(name, metrics[name], split=job["split"])
    session.log(f"{job['mode']}: {len(records)} rows of split {job['split']!r}")
    return session.write_result(metrics=metrics, artifacts=artifacts, details=details)
