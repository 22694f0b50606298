"""A trainer killed mid-run and resumed from its last checkpoint event ends exactly where an uninterrupted run ends."""
import io
import json
import subprocess
import sys

import torch

from conftest import BUCKET, REFERENCE, make_job, parse_stdout, read_result, run_trainer, trainer_env

SETTINGS = dict(epochs=6, batchSize=64, schedule={"kind": "one_cycle", "maxLr": 0.4, "pctStart": 0.25},
                # dropout draws from the RNG every step: resume must restore the RNG stream, not just the weights
                hyperparameters={"hidden": 64, "dropout": 0.2, "slowdownSeconds": 0.2})


def kill_after_checkpoint(minio, job, epoch):
    """Start the trainer, SIGKILL it right after the checkpoint event for `epoch`; returns that event."""
    process = subprocess.Popen([sys.executable, str(REFERENCE)], env=trainer_env(minio, job),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in process.stdout:
            [event] = parse_stdout(line)
            if event["event"] == "checkpoint" and event["epoch"] == epoch:
                return event
        raise AssertionError("the trainer finished without the expected checkpoint")
    finally:
        process.kill()
        process.wait()


def stored_events(minio, prefix):
    return [json.loads(line) for line in minio.get(prefix + "events.jsonl").decode().splitlines()]


def model_weights(minio, uri):
    return torch.load(io.BytesIO(minio.get(uri)), map_location="cpu")["model"]


def test_resumed_run_matches_uninterrupted_run(minio, digits):
    straight = make_job(digits, "train", **SETTINGS)
    run = run_trainer(minio, straight)
    assert run.code == 0, run.stderr
    expected = read_result(minio, straight)

    interrupted = make_job(digits, "train", **SETTINGS)
    checkpoint = kill_after_checkpoint(minio, interrupted, epoch=2)
    prefix = interrupted["output"]["prefix"]
    assert not minio.client.list_objects_v2(Bucket=BUCKET, Prefix=prefix[len(f"s3://{BUCKET}/"):] + "result.json"
                                            ).get("Contents")  # a killed attempt leaves no result
    # The checkpoint event was printed only after the stored log held it (and the epoch's metrics).
    assert stored_events(minio, prefix)[-1] == checkpoint

    retry = {**interrupted, "checkpoint": checkpoint["uri"]}  # what the orchestrator does on a retryable exit
    run = run_trainer(minio, retry)
    assert run.code == 0, run.stderr
    result = read_result(minio, retry)
    assert result["resumedFromEpoch"] == 2
    assert [e["epoch"] for e in run.named("checkpoint")] == [3, 4, 5, 6]
    assert result["metrics"] == expected["metrics"]  # exact, not approximate
    resumed, reference = (model_weights(minio, r["artifacts"]["checkpoint"]) for r in (result, expected))
    assert all(torch.equal(resumed[name], reference[name]) for name in reference)

    # The stored log spans both attempts: the first attempt's epochs are still there.
    val_epochs = [e["epoch"] for e in stored_events(minio, prefix) if e.get("name") == "val_accuracy"]
    assert val_epochs == [1, 2, 3, 4, 5, 6]
