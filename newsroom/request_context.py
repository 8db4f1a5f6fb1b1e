"""The id of the request (or job) being served, for logs and audit rows."""

from __future__ import annotations

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
# What a background job names itself ("job:42", "sweep"), set by newsroom.db_context.job_context.
current_job_id: ContextVar[str] = ContextVar("current_job_id", default="")
