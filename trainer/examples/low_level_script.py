"""The low-level route: a user's own training script speaking the job contract directly (a linear classifier,
resumable, with metrics). It implements only mode "train" and says so: `gt.run(main, modes=("train",))` makes a job
in any other mode (the overfit gate, an LR range test, evaluate) exit 2 with a message naming it, instead of
silently training. For every mode without writing them, use a Learner (examples/user_script.py).

Run as the reference trainer is (PYTHONPATH=trainer, GAUNTLET_JOB + GAUNTLET_STORAGE_* set).
"""
import torch
from torch.nn import functional as F

import gauntlet_trainer as gt


def main(session):
    job = session.job
    torch.manual_seed(job["seed"])
    data = gt.load_dataset(session.store, job["data"])  # checks sha256, label column, split manifest -> exit 2 if bad
    (x, y, _), (xv, yv, _) = data.split("train"), data.split("valid")
    x, y, xv, yv = (torch.from_numpy(a) for a in (x / 16, y, xv / 16, yv))
    model = torch.nn.Linear(x.shape[1], job["data"]["numClasses"])
    optimizer = torch.optim.SGD(model.parameters(), lr=float(job["hyperparameters"].get("lr", 0.5)))
    start, accuracy, checkpoint = 0, None, job["checkpoint"]
    if checkpoint:  # a retry: continue where the last checkpoint event left off
        state = session.load_checkpoint()
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = session.resumed_from_epoch = state["epoch"]
    for epoch in range(start + 1, job["epochs"] + 1):
        for batch in torch.randperm(len(y)).split(job["batchSize"]):
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
        accuracy = (model(xv).argmax(1) == yv).float().mean().item()
        gt.report_metric("val_accuracy", accuracy, epoch=epoch, split="valid")
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}
        checkpoint = session.save_checkpoint(state, epoch)  # also rewrites <prefix>events.jsonl
    return {"metrics": {"val_accuracy": accuracy}, "artifacts": {"checkpoint": checkpoint} if checkpoint else {}}


if __name__ == "__main__":
    gt.run(main, name="digits-linear-example", version="0.1.0", modes=("train",))
