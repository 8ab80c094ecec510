"""Prometheus metrics: HTTP requests and latency, jobs, rate limiting, outbox and queue depth.

Counters and histograms live in the process registry; with several web processes behind one
port (``concejo serve --workers N``) ``PROMETHEUS_MULTIPROC_DIR`` is set before they start and
``/metrics`` aggregates every process. Gauges that describe shared state (outbox pending per
tenant, broker queue depth) are read at scrape time from the database and the broker, so
any process answers them the same.
"""

from __future__ import annotations

import os
import time
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "concejo_http_requests_total", "HTTP requests answered",
    ["tenant", "group", "method", "status"])
HTTP_LATENCY = Histogram(
    "concejo_http_request_duration_seconds", "Time to answer an HTTP request",
    ["group"], buckets=LATENCY_BUCKETS)
RATE_LIMITED = Counter(
    "concejo_rate_limited_total", "Requests refused with 429 by the per-tenant limit",
    ["tenant"])
JOBS = Counter(
    "concejo_jobs_total", "Job messages processed", ["actor", "tenant", "outcome"])
JOB_LATENCY = Histogram(
    "concejo_job_duration_seconds", "Time to process a job message", ["actor"],
    buckets=LATENCY_BUCKETS)
SCHEDULER_LEADER = Gauge(
    "concejo_scheduler_leader", "1 while this scheduler process holds the leader lock",
    multiprocess_mode="max")


class JobMetrics(Middleware):
    """Dramatiq middleware counting messages by actor, tenant and outcome, with durations."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    def before_process_message(self, broker: dramatiq.Broker,
                               message: dramatiq.Message) -> None:
        self._started[message.message_id] = time.perf_counter()

    def after_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message, *,
                              result: Any = None, exception: BaseException | None = None
                              ) -> None:
        self._observe(message, "failed" if exception else "done")

    def after_skip_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        self._observe(message, "skipped")

    def _observe(self, message: dramatiq.Message, outcome: str) -> None:
        started = self._started.pop(message.message_id, None)
        tenant = str(message.kwargs.get("tenant_id") or "-")
        JOBS.labels(message.actor_name, tenant, outcome).inc()
        if started is not None:
            JOB_LATENCY.labels(message.actor_name).observe(time.perf_counter() - started)


def queue_depth(broker: dramatiq.Broker, queue: str) -> int | None:
    """Messages waiting in the broker's queue, when the broker can tell cheaply."""
    counts = getattr(broker, "get_queue_message_counts", None)
    if counts is not None:  # RabbitMQ: (ready, delayed, dead-lettered)
        return int(counts(queue)[0])
    client = getattr(broker, "client", None)
    if client is not None:  # Redis: the queue's list of message ids
        return int(client.llen(f"{broker.namespace}:{queue}"))
    queues = getattr(broker, "queues", None)
    if queues is not None and queue in queues:  # embedded StubBroker
        return int(queues[queue].qsize())
    return None


def exposition(shared: dict[str, tuple[str, dict[tuple[str, ...], float], list[str]]]
               ) -> tuple[bytes, str]:
    """The text exposition: process (or every web process) metrics plus shared gauges.

    ``shared`` maps a gauge name to (help, {label values: value}, label names)."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        body = generate_latest(REGISTRY)
    scrape = CollectorRegistry()
    scrape.register(_Families([_gauge(name, *spec) for name, spec in shared.items()]))
    return body + generate_latest(scrape), CONTENT_TYPE_LATEST


def _gauge(name: str, doc: str, values: dict[tuple[str, ...], float],
           labels: list[str]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for label_values, value in values.items():
        family.add_metric(list(label_values), value)
    return family


class _Families:
    """A collector of metric families computed at scrape time (no process state)."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families
