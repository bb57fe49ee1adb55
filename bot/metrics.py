"""Prometheus metrics, one registry per application."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """The counters and histograms /metrics exposes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mingbai_http_requests_total", "HTTP requests by route and status", ["route", "status"],
            registry=self.registry,
        )
        self.handler_latency = Histogram(
            "mingbai_handler_seconds", "Time to handle one chat message", registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4, 8),
        )
        self.dedup_hits = Counter("mingbai_dedup_hits_total", "Retried messages answered from cache",
                                  registry=self.registry)
        self.rate_limited = Counter("mingbai_rate_limited_total", "Messages refused by the rate limit",
                                    registry=self.registry)
        self.cs_fallbacks = Counter("mingbai_customer_service_fallbacks_total",
                                    "Answers sent through the customer-service API after the 5 s budget",
                                    registry=self.registry)
        self.cs_failures = Counter("mingbai_customer_service_failures_total",
                                   "Customer-service sends that failed", registry=self.registry)
        self.degraded = Gauge("mingbai_degraded", "1 while Redis is unreachable and the server runs degraded",
                              registry=self.registry)
        self._request_counters: dict[tuple[str, int], Any] = {}
        self.rejected = Counter("mingbai_rejected_requests_total", "Callback requests refused, by reason",
                                ["reason"], registry=self.registry)

    def count_request(self, route: str, status: int) -> None:
        """One more request on this route with this status (the labelled child is looked up once)."""
        child = self._request_counters.get((route, status))
        if child is None:
            child = self._request_counters[(route, status)] = self.requests.labels(route, str(status))
        child.inc()
