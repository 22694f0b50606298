"""Mode `label`: a seeded simulated annotator (for the demo and the tests; a real model-assisted labeler is a user's
command trainer). It starts from the true class of every batch item (a CSV column) and answers like a tired human
who mixes up look-alike classes, and it can crash or write malformed output on purpose.

Standard library (+ gauntlet_trainer's store and CSV helpers) only: a label job never imports torch, so it starts at
once.

Settings, all in job.hyperparameters (unknown keys → exit 2 naming the key):
  accuracy              0..1, default 0.95: probability of the true label at batch position 0.
  fatigue               >= 0, default 0: accuracy falls by this much per batch position,
                        accuracy_i = max(0, accuracy - fatigue * i).
  confusions            "1:7,3:8,4:9": pairs of class names, symmetric (default "": none).
  confusionShare        0..1, default 0.8: when wrong, the probability of answering a confusion partner of the true
                        class (when it has one) instead of a uniformly random other class.
  crashProbability      0..1, default 0: the job dies mid-batch (exit 1, retryable) before writing labels.
  malformedProbability  0..1, default 0: writes malformed labels (an item dropped, an item twice, or a class name that
                        does not exist), still with result status succeeded; the orchestrator must reject the batch.
  truthColumn           CSV column with the true class index 0..K-1 (default: data.labelColumn); it may be one of
                        data.ignoreColumns. A batch item without a true label is bad input.
  secondsPerItem        >= 0, default 0: simulated work per item (sleep), with `labeled` progress events.
  holdFile              test knob: when set and the file does not exist, wait until it does before writing labels.
Randomness: random.Random seeded with f"{seed}:{jobId}", so a job is deterministic and a retry (a new jobId from the
orchestrator) draws afresh: a simulated crash is not repeated forever.
"""
import json
import os
import random
import time

from gauntlet_trainer import schema as s
from gauntlet_trainer.data import csv_column, read_data
from gauntlet_trainer.errors import BadInput, describe
from gauntlet_trainer.store import ObjectNotFound

_SPEC = {
    "accuracy": (s.number(ge=0, le=1), 0.95),
    "fatigue": (s.number(ge=0), 0.0),
    "confusions": (s.string(), ""),
    "confusionShare": (s.number(ge=0, le=1), 0.8),
    "crashProbability": (s.number(ge=0, le=1), 0.0),
    "malformedProbability": (s.number(ge=0, le=1), 0.0),
    "truthColumn": (s.string(min_len=1), s.OPTIONAL),  # absent: data.labelColumn
    "secondsPerItem": (s.number(ge=0), 0.0),
    "holdFile": (s.string(), ""),
}
MALFORMATIONS = ("drop", "duplicate", "unknown_class")
PROGRESS_EVENTS = 20  # about this many `labeled` events per batch (plus one a second when items take time)
FLUSH_SECONDS = 5.0  # events.jsonl is rewritten at most this often while labeling
HOLD_LOG_SECONDS = 30.0  # a log line this often while a hold file is awaited (a heartbeat for whoever watches)


class SimulatedCrash(RuntimeError):
    """crashProbability fired: an unexpected exception, so the runner exits 1 (retryable) and writes no result."""


def parse_settings(values: dict, classes: list) -> dict:
    settings = s.strict_object(_SPEC)(values or {}, "hyperparameters")
    settings["partners"] = parse_confusions(settings["confusions"], classes)
    return settings


def parse_confusions(text: str, classes: list) -> dict:
    """"1:7,3:8" -> {"1": ["7"], "7": ["1"], "3": ["8"], "8": ["3"]} (class name -> its confusion partners)."""
    field = "hyperparameters.confusions"
    partners = {}
    for pair in (p.strip() for p in text.split(",")):
        if not pair:
            continue
        names = [n.strip() for n in pair.split(":")]
        if len(names) != 2 or not all(names):
            raise BadInput(field, f"{pair!r} is not a pair of class names 'a:b' (got {describe(text)})")
        unknown = [n for n in names if n not in classes]
        if unknown:
            raise BadInput(field, f"{unknown[0]!r} is not a class name (label.classes: {describe(classes)})")
        a, b = names
        if a == b:
            raise BadInput(field, f"{pair!r} pairs a class with itself")
        for one, other in ((a, b), (b, a)):
            if other not in partners.setdefault(one, []):
                partners[one].append(other)
    return partners


def read_batch(store, label: dict) -> list:
    """The batch file's item list (row indices); its `batch` must be the job's label.batch."""
    uri = label["batchUri"]
    try:
        raw = store.get_bytes(uri)
    except ObjectNotFound:
        raise BadInput("label.batchUri", f"object does not exist: {uri}") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput("label.batchUri", f"batch file is not valid JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise BadInput("label.batchUri", 'batch file must be a JSON object {"batch": n, "items": [row indices]}')
    if document.get("batch") != label["batch"] or isinstance(document.get("batch"), bool):
        raise BadInput("label.batch", f"the batch file {uri} is batch {describe(document.get('batch'))}, "
                                      f"the job says {label['batch']}")
    items, seen = document["items"], set()
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            raise BadInput("label.batchUri", f"item {describe(item)} is not an integer row index")
        if item in seen:
            raise BadInput("label.batchUri", f"item {item} appears twice in batch {label['batch']}")
        seen.add(item)
    return items


def true_classes(cells: list, items: list, column: str, field: str, num_classes: int) -> list:
    """The true class index of every batch item, from the truth column's cells (one per data row)."""
    truth = []
    for item in items:
        if not 0 <= item < len(cells):
            raise BadInput("label.batchUri", f"item {item} is out of range: data.uri has {len(cells)} rows")
        cell = cells[item].strip()
        try:
            value = float(cell)
        except ValueError:
            value = None
        if value is None or value != int(value) or not 0 <= value < num_classes:
            what = "no true label" if cell == "" else f"true label {cell!r}, not a class index in [0, {num_classes})"
            raise BadInput(field, f"item {item} has {what} in column {column!r}")
        truth.append(int(value))
    return truth


def answer(rng: random.Random, truth: str, position: int, classes: list, settings: dict) -> str:
    """One simulated answer for an item whose true class is `truth`, at `position` in the batch."""
    accuracy = max(0.0, settings["accuracy"] - settings["fatigue"] * position)
    if rng.random() < accuracy:
        return truth
    partners = settings["partners"].get(truth)
    if partners and rng.random() < settings["confusionShare"]:
        return rng.choice(partners)
    return rng.choice([c for c in classes if c != truth])


def malform(rng: random.Random, labels: list, classes: list):
    """Break a valid label list on purpose; returns (labels, what was done)."""
    labels = [dict(entry) for entry in labels]
    if not labels:  # nothing to drop, repeat or misspell: label an item that is not in the batch
        labels.append({"item": 0, "label": classes[0]})
        return labels, "labeled item 0, which is not in the (empty) batch"
    kind = rng.choice(MALFORMATIONS)
    at = rng.randrange(len(labels))
    if kind == "drop":
        dropped = labels.pop(at)
        return labels, f"dropped item {dropped['item']}"
    if kind == "duplicate":
        labels.insert(at + 1, dict(labels[at]))
        return labels, f"listed item {labels[at]['item']} twice"
    labels[at]["label"] = _misspell(rng, labels[at]["label"], classes)
    return labels, f"labeled item {labels[at]['item']} {labels[at]['label']!r}, which is not a class"


def _misspell(rng: random.Random, name: str, classes: list) -> str:
    """A typo of `name` that is not a class name ("seven" -> "sevn")."""
    candidates = []
    if len(name) >= 3:
        candidates += [name[:i] + name[i + 1:] for i in range(1, len(name))]
    candidates += [name + name[-1], name + "?", f"{name}-typo"]
    candidates = [c for c in candidates if c and c not in classes]
    return rng.choice(candidates) if candidates else "not-a-class"


def hold(path: str, session) -> None:
    """Test knob: wait until `path` exists, logging now and then so watchers see the job is alive."""
    if os.path.exists(path):
        return
    session.log(f"holding before writing labels until {path} exists")
    session.flush_events()
    started = last_log = time.monotonic()
    while not os.path.exists(path):
        time.sleep(0.1)
        if time.monotonic() - last_log >= HOLD_LOG_SECONDS:
            last_log = time.monotonic()
            session.log(f"still holding for {path} ({last_log - started:.0f} s)")
            session.flush_events()
    session.log(f"{path} exists: writing labels")


def run_label(session):
    job = session.job
    label, data = job["label"], job["data"]
    classes = label["classes"]
    if len(set(classes)) != len(classes):
        raise BadInput("label.classes", f"class names must be distinct (got {describe(classes)})")
    if len(classes) != data["numClasses"]:
        raise BadInput("label.classes", f"has {len(classes)} class names, data.numClasses is {data['numClasses']}")
    settings = parse_settings(job["hyperparameters"], classes)
    column = settings["truthColumn"] or data["labelColumn"]
    field = "hyperparameters.truthColumn" if settings["truthColumn"] else "data.labelColumn"

    items = read_batch(session.store, label)
    cells = csv_column(read_data(session.store, data), column, field)  # read_data checks data.sha256
    truth = true_classes(cells, items, column, field, len(classes))

    rng = random.Random(f"{job['seed']}:{job['jobId']}")
    crash_at = rng.randrange(max(len(items), 1)) if rng.random() < settings["crashProbability"] else None
    malformed = rng.random() < settings["malformedProbability"]
    session.log(f"simulated annotator {label['annotator']!r}: batch {label['batch']}, {len(items)} items, "
                f"truth from column {column!r}, accuracy {settings['accuracy']}, fatigue {settings['fatigue']}/item")

    labels, correct = [], 0
    every = max(1, len(items) // PROGRESS_EVENTS)
    last_event = last_flush = time.monotonic()
    for position, (item, true_class) in enumerate(zip(items, truth)):
        if crash_at == position:
            raise SimulatedCrash(f"simulated annotator crash at batch position {position} of {len(items)} "
                                 f"(crashProbability={settings['crashProbability']})")
        if settings["secondsPerItem"]:
            time.sleep(settings["secondsPerItem"])
        given = answer(rng, classes[true_class], position, classes, settings)
        correct += given == classes[true_class]
        labels.append({"item": item, "label": given})
        now, count = time.monotonic(), position + 1
        if count % every == 0 or count == len(items) or now - last_event >= 1.0:
            session.report_metric("labeled", count, step=count)
            last_event = now
            if now - last_flush >= FLUSH_SECONDS:
                session.flush_events()
                last_flush = now
    if crash_at is not None:  # an empty batch still crashes when told to
        raise SimulatedCrash(f"simulated annotator crash (crashProbability={settings['crashProbability']})")
    if items:
        session.log(f"{correct} of {len(items)} answers match the truth ({correct / len(items):.1%})")
    if malformed:
        labels, what = malform(rng, labels, classes)
        session.log(f"writing malformed labels on purpose (malformedProbability="
                    f"{settings['malformedProbability']}): {what}", level="warning")

    if settings["holdFile"]:
        hold(settings["holdFile"], session)
    uri = session.put_json("labels.json", {"annotator": label["annotator"], "batch": label["batch"], "labels": labels})
    return {"metrics": {"items": len(labels)}, "artifacts": {"labels": uri},
            "details": {"batch": label["batch"], "annotator": label["annotator"]}}
