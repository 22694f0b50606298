"""Progress events: one JSON object per line on stdout, mirrored to `<output.prefix>events.jsonl` in the store.

S3 has no append, so the log keeps every event in memory and `flush()` rewrites the whole object. A retried attempt
starts from the events a previous attempt flushed (`load_previous`), so the stored log covers every attempt; readers
take the last event for a given (name, epoch, step) as the current value.
"""
import datetime
import json
import math
import sys

LOG_LEVELS = ("debug", "info", "warning", "error")


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def finite_or_none(value):
    """JSON has no NaN/Infinity; the contract's `value`/`loss` are nullable for exactly this case."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # keep counts (epochs, n, steps) integral in the JSON
    value = float(value)
    return value if math.isfinite(value) else None


def encode(event: dict) -> str:
    return json.dumps(event, allow_nan=False, separators=(",", ":"))


class EventLog:
    def __init__(self, stream=None, store=None, uri=None):
        self._stream = stream if stream is not None else sys.stdout
        self._store = store
        self._uri = uri
        self._lines = []

    @property
    def lines(self):
        return list(self._lines)

    def load_previous(self) -> int:
        """Carry over the events a previous attempt of this job flushed; returns how many."""
        from .store import ObjectNotFound

        if not self._store:
            return 0
        try:
            previous = self._store.get_bytes(self._uri).decode("utf-8").splitlines()
        except ObjectNotFound:
            return 0
        self._lines = [line for line in previous if line.strip()] + self._lines
        return len(previous)

    def emit(self, event: dict, durable: bool = False) -> dict:
        """Print and record an event. durable=True rewrites events.jsonl BEFORE printing, so whoever sees the event
        on stdout knows the stored log already holds it and everything before it (used for checkpoint events: a
        retry resumes from one and must not find the store's log missing that epoch's metrics)."""
        event = {**event, "time": utc_now()}
        line = encode(event)
        self._lines.append(line)
        if durable:
            self.flush()
        self._stream.write(line + "\n")
        self._stream.flush()  # the executor reads progress live; never sit in a buffer
        return event

    def metric(self, name, value, epoch=None, step=None, split=None):
        event = {"event": "metric", "name": str(name), "value": finite_or_none(value)}
        for key, val in (("epoch", epoch), ("step", step), ("split", split)):
            if val is not None:
                event[key] = int(val) if key != "split" else val
        return self.emit(event)

    def lr_point(self, step, lr, loss):
        return self.emit({"event": "lr_point", "step": int(step), "lr": float(lr), "loss": finite_or_none(loss)})

    def checkpoint(self, uri, epoch, step=None):
        event = {"event": "checkpoint", "uri": uri, "epoch": int(epoch)}
        if step is not None:
            event["step"] = int(step)
        return self.emit(event, durable=True)

    def log(self, message, level="info"):
        if level not in LOG_LEVELS:
            raise ValueError(f"log level must be one of {LOG_LEVELS}, got {level!r}")
        return self.emit({"event": "log", "level": level, "message": str(message)})

    def flush(self, best_effort=False) -> bool:
        """Rewrite `events.jsonl` with every event so far. best_effort=True: one try, and when storage is down the
        events stay here, in order, for the next flush (training goes on; a durable flush waits for storage)."""
        from .errors import StorageUnavailable

        if not (self._store and self._uri):
            return True
        data = "".join(line + "\n" for line in self._lines).encode("utf-8")
        try:
            self._store.put_bytes(self._uri, data, "application/x-ndjson", **({"retry": False} if best_effort else {}))
            return True
        except StorageUnavailable:
            if not best_effort:
                raise
            return False
