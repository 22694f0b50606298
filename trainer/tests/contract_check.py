"""Structural checks of the contract's outputs (ProgressEvent and JobResult of core/spec/job.ts), for tests."""
import re

S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S*")
_EVENT_FIELDS = {
    "metric": ({"event", "name", "value"}, {"time", "step", "epoch", "split"}),
    "lr_point": ({"event", "step", "lr", "loss"}, {"time"}),
    "checkpoint": ({"event", "uri", "epoch"}, {"time", "step"}),
    "log": ({"event", "level", "message"}, {"time"}),
}
_RESULT_FIELDS = {"contract", "jobId", "mode", "status", "metrics", "artifacts", "details", "device", "startedAt",
                  "finishedAt", "trainer", "resumedFromEpoch"}


def _number(value, nullable=False):
    return (value is None and nullable) or (isinstance(value, (int, float)) and not isinstance(value, bool))


def check_event(event: dict) -> None:
    assert isinstance(event, dict), event
    required, optional = _EVENT_FIELDS[event["event"]]
    assert required <= set(event) <= required | optional, event
    if event["event"] == "metric":
        assert isinstance(event["name"], str) and event["name"] and _number(event["value"], nullable=True), event
        assert event.get("split", "train") in ("train", "valid", "test"), event
    elif event["event"] == "lr_point":
        assert _number(event["lr"]) and _number(event["loss"], nullable=True), event
    elif event["event"] == "checkpoint":
        assert S3_URI.fullmatch(event["uri"]), event
    else:
        assert event["level"] in ("debug", "info", "warning", "error"), event
    for key in ("step", "epoch"):
        if key in event:
            assert isinstance(event[key], int) and event[key] >= 0, event


def check_result(result: dict) -> None:
    assert set(result) == _RESULT_FIELDS, sorted(result)
    assert result["contract"] == "gauntlet.job/v1"
    assert result["status"] in ("succeeded", "failed")
    assert all(_number(v, nullable=True) for v in result["metrics"].values()), result["metrics"]
    assert all(S3_URI.fullmatch(v) for v in result["artifacts"].values()), result["artifacts"]
    assert set(result["trainer"]) == {"name", "version"}
