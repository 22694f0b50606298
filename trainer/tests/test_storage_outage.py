"""Storage restarting under a running job: the trainer waits for it (bounded) and keeps its events in order, instead
of exiting on the first refused connection. The outage is forced, not timed: the trainer holds after its first
epoch (holdFile) while the test stops MinIO, so its next checkpoint write is sure to meet the outage."""
import json
import subprocess
import sys
import threading
import time

from conftest import REFERENCE, make_job, parse_stdout, trainer_env, upload_digits


def start_trainer(minio, job, **env):
    return subprocess.Popen([sys.executable, str(REFERENCE)], env=trainer_env(minio, job, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(process, predicate, lines, timeout=120):
    """Reads the trainer's stdout until a line matches; keeps every line read."""
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        lines.append(line)
        if predicate(json.loads(line)):
            return
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"no matching event within {timeout}s; stderr: {process.stderr.read()[-2000:]}")


def held_job(data, release, epochs=4):
    return make_job(data, "train", epochs=epochs, batchSize=64,
                    hyperparameters={"hidden": 32, "holdFile": str(release)},
                    schedule={"kind": "one_cycle", "maxLr": 0.1})


def test_minio_stopped_30s_mid_run_the_job_finishes_with_its_full_curve(minio_server, tmp_path):
    store = minio_server.connect()
    job = held_job(upload_digits(store), tmp_path / "release")
    trainer = start_trainer(store, job)
    lines = []
    stderr = []
    try:
        wait_for_line(trainer, lambda e: e["event"] == "checkpoint" and e["epoch"] == 1, lines)
        minio_server.stop()
        (tmp_path / "release").write_text("go")  # epoch 2's checkpoint now meets the outage
        time.sleep(30)
        assert trainer.poll() is None, "the trainer waits for storage instead of exiting"
        minio_server.start()
        reader = threading.Thread(target=lambda: stderr.append(trainer.stderr.read()))
        reader.start()
        lines.extend(trainer.stdout)
        assert trainer.wait(timeout=300) == 0
        reader.join()
    finally:
        if trainer.poll() is None:
            trainer.kill()
    events = parse_stdout("".join(lines))
    assert "unreachable" in "".join(stderr), "the wait is visible in the trainer's log"
    stored = [json.loads(line) for line in store.get(job["output"]["prefix"] + "events.jsonl").decode().splitlines()]
    epochs = sorted({e["epoch"] for e in stored if e["event"] == "metric" and e.get("name") == "val_accuracy"})
    assert epochs == [1, 2, 3, 4], "every epoch's metrics reached the store, in order"
    assert [e["epoch"] for e in events if e["event"] == "checkpoint"] == [1, 2, 3, 4]
    result = store.get_json(job["output"]["prefix"] + "result.json")
    assert result["status"] == "succeeded" and result["metrics"]["epochs"] == 4


def test_minio_away_longer_than_the_window_is_a_clear_outage_exit_naming_the_endpoint(minio_server, tmp_path):
    store = minio_server.connect()
    job = held_job(upload_digits(store), tmp_path / "release")
    trainer = start_trainer(store, job, GAUNTLET_STORAGE_RETRY_SECONDS="3")
    lines = []
    try:
        wait_for_line(trainer, lambda e: e["event"] == "checkpoint" and e["epoch"] == 1, lines)
        minio_server.stop()
        (tmp_path / "release").write_text("go")
        code = trainer.wait(timeout=120)
        stderr = trainer.stderr.read()
    finally:
        if trainer.poll() is None:
            trainer.kill()
    assert code == 75, stderr[-2000:]
    assert f"storage at {minio_server.endpoint} unreachable" in stderr
    assert "GAUNTLET_STORAGE_RETRY_SECONDS" in stderr
