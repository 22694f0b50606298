"""Events are single-line JSON objects with contract fields only; non-finite numbers become null."""
import io
import json

import pytest

from contract_check import check_event
from gauntlet_trainer import EventLog


def test_every_event_is_one_json_line():
    stream = io.StringIO()
    log = EventLog(stream)
    log.metric("val_loss", 0.5, epoch=1, split="valid")
    log.metric("loss", float("nan"), step=3)
    log.lr_point(0, 1e-3, float("inf"))
    log.checkpoint("s3://bucket/runs/1/checkpoints/epoch-0001.pt", 1, step=10)
    log.log("multi\nline message", "warning")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5 and lines == log.lines
    events = [json.loads(line) for line in lines]
    for event in events:
        check_event(event)
        assert event["time"].endswith("Z")
    assert events[1]["value"] is None and events[2]["loss"] is None
    assert events[4]["message"] == "multi\nline message"
    assert "split" not in events[1] and "epoch" not in events[1]


def test_bad_log_level_is_a_programming_error():
    with pytest.raises(ValueError):
        EventLog(io.StringIO()).log("x", level="fatal")
