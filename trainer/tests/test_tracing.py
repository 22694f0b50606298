"""Epoch spans (gauntlet_trainer.tracing): a no-op without a trace context, an endpoint or the optional SDK; with the
SDK, one span per epoch exported over OTLP/HTTP as a child of the job's TRACEPARENT."""
import http.server
import sys
import threading

import pytest

from gauntlet_trainer import tracing

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"
JOB = {"jobId": "traced-train", "mode": "train"}


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(tracing, "_tracer", tracing._UNSET)
    for key in ("TRACEPARENT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(key, raising=False)


def test_no_trace_context_no_spans(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    with tracing.epoch_span(1, JOB) as span:
        assert span is None
    assert not tracing.enabled()


def test_no_endpoint_no_spans(monkeypatch):
    monkeypatch.setenv("TRACEPARENT", TRACEPARENT)
    assert not tracing.enabled()


def test_sdk_missing_is_a_no_op(monkeypatch):
    monkeypatch.setenv("TRACEPARENT", TRACEPARENT)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # import fails as if it were not installed
    with tracing.epoch_span(1, JOB) as span:
        assert span is None


def test_epoch_spans_go_to_the_collector_under_the_job_trace(monkeypatch):
    pytest.importorskip("opentelemetry.sdk")
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    bodies = []

    class Collector(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            bodies.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("TRACEPARENT", TRACEPARENT)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
        for epoch in (1, 2):
            with tracing.epoch_span(epoch, JOB) as span:
                assert span is not None
    finally:
        server.shutdown()
    # Exported synchronously as each epoch ends; protobuf carries the trace id as raw bytes, names as text.
    assert [path for path, _ in bodies] == ["/v1/traces", "/v1/traces"]
    assert all(bytes.fromhex(TRACE_ID) in body for _, body in bodies)
    assert b"epoch 1" in bodies[0][1] and b"epoch 2" in bodies[1][1] and b"gauntlet-trainer" in bodies[0][1]
