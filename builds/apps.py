from django.apps import AppConfig


class BuildsConfig(AppConfig):
    """Uploaded apps and the builds that fuse them."""

    name = "builds"
    verbose_name = "Builds"
