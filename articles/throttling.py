"""Per-client request throttling: a sliding window kept atomically in Redis, failing open when
Redis is unavailable.

DRF's SimpleRateThrottle reads the client's history from the cache, decides, and writes it back:
parallel requests of one client all read the same history, so a client on several connections
got about 20% over its rate (bench/load_bench.py's probe). Here one Lua script trims, counts and
records in a single step, so the rate holds whatever the concurrency.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from articles.models import ApiClient

if TYPE_CHECKING:
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

# KEYS[1]: the client's window; ARGV: now (s), window (s), limit, a unique member.
# Returns -1 when the request may go, else the time (s) of the oldest request in the window.
_SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return -1
end
return redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
"""


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"

    def get_rate(self) -> str:
        # Read at request time (not import time) so the rate follows the settings.
        return str(settings.NEWSROOM_API_RATE)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiClient):
            ident = f"client-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            # Unauthenticated requests are refused by permissions anyway; key them by peer
            # address (REMOTE_ADDR, never a client-supplied X-Forwarded-For unless NUM_PROXIES).
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: APIView) -> bool:
        self._wait: float | None = None
        limit, window = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if limit is None or window is None or key is None:
            return True
        now = time.time()
        try:
            full_key = cache.make_and_validate_key(key)
            client: Any = cache._cache.get_client(full_key, write=True)  # type: ignore[attr-defined]
            oldest = client.eval(_SLIDING_WINDOW, 1, full_key, now, window, limit, f"{now:.6f}-{uuid.uuid4().hex[:8]}")
        except (RedisError, OSError):
            # Ingestion must keep working while Redis is down (the outbox holds the work).
            logger.warning("throttle cache unavailable; allowing request")
            return True
        if oldest == -1:
            return True
        self._wait = max(0.0, float(oldest) + window - now)
        return False

    def wait(self) -> float | None:
        return None if self._wait is None else max(1.0, float(math.ceil(self._wait)))
