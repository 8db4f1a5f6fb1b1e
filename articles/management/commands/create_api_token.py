"""python manage.py create_api_token NAME [--user USERNAME]: the key is the last line printed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.tokens import create_api_token


class Command(BaseCommand):
    help = "Create an API client and print its token once (the last line). Only a hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="a name for the client, e.g. 'reuters-feed'")
        parser.add_argument("--user", help="tie the token to this user, who then acts through it with their roles")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"no user named {options['user']!r}; create it first (manage.py createsuperuser)") from None
        try:
            client, key = create_api_token(options["name"], user=user)
        except ValueError as ex:
            raise CommandError(str(ex)) from None
        self.stderr.write(f"Created API client {client.name!r}. The key is shown once; store it now.")
        self.stdout.write(key)
