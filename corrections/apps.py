from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrections"
    default_auto_field = "django.db.models.BigAutoField"
