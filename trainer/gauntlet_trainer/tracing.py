"""Epoch spans under the job's trace context (env TRACEPARENT, set by the worker while it traces).

Optional: spans are exported only when the OpenTelemetry SDK and its OTLP/HTTP exporter are importable
(`pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http`; Debian has no package for them) and an
OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). Otherwise every call is a
no-op that costs nothing: the module is not even imported.
"""
import contextlib
import os

_UNSET = object()
_tracer = _UNSET  # (tracer, parent context), or None when tracing is off


def _setup():
    env = os.environ
    if not env.get("TRACEPARENT") or env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    if not (env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")):
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
    except ImportError:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": "gauntlet-trainer"}))
    # One export per epoch, as it ends: nothing is left in a buffer when the process exits or is killed.
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))
    carrier = {"traceparent": env["TRACEPARENT"], "tracestate": env.get("TRACESTATE", "")}
    return provider.get_tracer("gauntlet_trainer"), TraceContextTextMapPropagator().extract(carrier)


def enabled():
    global _tracer
    if _tracer is _UNSET:
        _tracer = _setup()
    return _tracer is not None


@contextlib.contextmanager
def epoch_span(epoch, job):
    """`with epoch_span(epoch, job):` around one epoch; the span is a child of the job's TRACEPARENT."""
    if not enabled():
        yield None
        return
    tracer, parent = _tracer
    attributes = {"gauntlet.job_id": job.get("jobId", ""), "gauntlet.mode": job.get("mode", ""), "gauntlet.epoch": epoch}
    with tracer.start_as_current_span(f"epoch {epoch}", context=parent, attributes=attributes) as span:
        yield span
