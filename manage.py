#!/usr/bin/env python
"""Django's command-line utility for newsroom.

With no DATABASE_URL / REDIS_URL it uses the servers of the make run going on in this folder
(newsroom/local_run.py); with NEWSROOM_EMBEDDED=1 and none running it says how to start them.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from newsroom import local_run

    try:
        local_run.server_urls(os.environ)
    except local_run.EmbeddedNotRunning as ex:
        print(f"manage.py: error: {ex}.\n  fix: {local_run.HOW_TO_START}", file=sys.stderr)
        sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
