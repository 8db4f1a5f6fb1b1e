"""Logging for operators: the human format by default, one JSON object per line on request.

``NEWSROOM_LOG_FORMAT=json`` writes each record as one JSON object with ``time`` (ISO 8601,
UTC), ``level``, ``logger``, ``message``, ``request_id`` (the web request's, or ``task:<id>`` for a
Celery task), ``job_id`` (what a background job names itself: ``job:42``, ``sweep``...),
``exception`` (the traceback, when there is one) and whatever the call passed in ``extra``.
The ids come from the context the request middleware and ``newsroom.db_context.job_context`` set.
"""

from __future__ import annotations

import logging
from typing import Any

from newsroom.request_context import current_job_id, current_request_id

FORMATS = ("plain", "json")


class ContextFilter(logging.Filter):
    """Puts the current request and job ids on every record (empty outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.job_id = current_job_id.get()
        return True


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING dict for ``log_format`` ("plain" or "json") at ``level``."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "newsroom.logs.ContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{name}{message}{request_id}{job_id}",
                "style": "{",
                "timestamp": "time",
                "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.request": {"level": "ERROR"}},
    }
