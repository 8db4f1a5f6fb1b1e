from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the tasks with the Celery app in every process, not only in workers: jobs are
        # published by task name, and the registered task lends its options to the message.
        from corrections import tasks  # noqa: F401
