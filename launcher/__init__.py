"""The process launcher behind ``make run``, ``make services`` and ``make test``: PostgreSQL and Redis
made reachable (services), then the web server, worker and beat started and stopped (run).

It is not part of the application: nothing in newsroom/, articles/ or corrections/ imports it.
services.py must stay importable with a bare system Python (the Makefile runs it before the
virtualenv exists), so it, and this file, import only the standard library.
"""
