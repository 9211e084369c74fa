from django.apps import AppConfig


class WorkersConfig(AppConfig):
    """Celery tasks that run the fusion pipeline."""

    name = "workers"
    verbose_name = "Workers"
