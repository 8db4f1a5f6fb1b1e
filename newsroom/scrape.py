"""GET /metrics: the Prometheus exposition, for scrapers holding the token or at an allowed address.

Who may scrape is configured, never assumed (README, "Operations"):

- ``NEWSROOM_METRICS_TOKEN`` (or ``NEWSROOM_METRICS_TOKEN_FILE``): a request carrying
  ``Authorization: Bearer <token>`` may scrape. The presented and the configured token are both
  hashed and the digests compared in constant time.
- ``NEWSROOM_METRICS_ALLOW_IPS``: addresses and networks (``10.0.0.0/8,::1``) whose requests may
  scrape without a token. It matches the TCP peer (``REMOTE_ADDR``), never a forwarded header;
  behind a reverse proxy use the token.

With neither set the endpoint answers 404: there is nothing to find. Otherwise a request that
qualifies neither way gets 401 (with ``WWW-Authenticate: Bearer``) when a token is configured, or
403 when only the allow-list is. Desk sessions and API tokens are no credentials here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from newsroom.metrics import is_multiprocess


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def has_scrape_token(request: HttpRequest) -> bool:
    configured = settings.NEWSROOM_METRICS_TOKEN
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if not configured or scheme.lower() != "bearer" or not presented.strip():
        return False
    return hmac.compare_digest(_digest(presented.strip()), _digest(configured))


def is_allowed_address(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.NEWSROOM_METRICS_ALLOW_IPS)


def _refused(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


class StateCollector(Collector):
    """Gauges read from Redis and PostgreSQL at scrape time: right whatever the process count."""

    def collect(self) -> Iterator[Metric]:
        from corrections import ops

        broker = ops.broker_state()
        up = GaugeMetricFamily("newsroom_broker_up", "1 when the broker answered this scrape, else 0.")
        up.add_metric([], 0 if broker.error else 1)
        yield up
        depth = GaugeMetricFamily("newsroom_queue_messages", "Messages waiting in each Celery queue in Redis.",
                                  labels=["queue"])
        for name, n in broker.queues.items():
            depth.add_metric([name], n)
        yield depth
        if not broker.error:
            yield GaugeMetricFamily("newsroom_queue_unacked_messages",
                                    "Messages delivered to workers and not yet acknowledged (incl. retries "
                                    "waiting for their countdown).", value=broker.unacked)
        outbox = ops.outbox_state()
        jobs = GaugeMetricFamily("newsroom_outbox_jobs", "Pipeline job rows in PostgreSQL by state (done "
                                 "jobs are counted by newsroom_pipeline_jobs_finished_total).", labels=["state"])
        for state, n in (("queued", outbox.queued), ("running", outbox.running), ("failed", outbox.failed)):
            jobs.add_metric([state], n)
        yield jobs
        age = 0.0 if outbox.oldest_queued_at is None else (timezone.now() - outbox.oldest_queued_at).total_seconds()
        yield GaugeMetricFamily("newsroom_outbox_oldest_queued_seconds",
                                "Age of the oldest queued pipeline job (0 when none waits).", value=max(age, 0.0))
        yield GaugeMetricFamily("newsroom_story_refreshes_pending",
                                "Stories waiting for (or running) their coalesced refresh.",
                                value=outbox.refreshes_pending)
        feeds = GaugeMetricFamily("newsroom_feeds", "Registered feeds by the status of their last poll "
                                  "(new, ok, not_modified, error; disabled feeds as disabled).", labels=["status"])
        for status, n in ops.feed_counts().items():
            feeds.add_metric([status], n)
        yield feeds


def exposition() -> bytes:
    """The text exposition: every process's counts (multiprocess mode) or this one's, plus the state."""
    registry = CollectorRegistry(auto_describe=False)
    if is_multiprocess():
        multiprocess.MultiProcessCollector(registry)
        registry.register(StateCollector())
        return generate_latest(registry)
    registry.register(StateCollector())
    return generate_latest(REGISTRY) + generate_latest(registry)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    has_token = bool(settings.NEWSROOM_METRICS_TOKEN)
    if not has_token and not settings.NEWSROOM_METRICS_ALLOW_IPS:
        return _refused(404, "Not found.")
    if not (has_scrape_token(request) or is_allowed_address(request)):
        if has_token:
            return _refused(401, "Send the metrics token as 'Authorization: Bearer <token>'.")
        return _refused(403, "This address may not read the metrics.")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
