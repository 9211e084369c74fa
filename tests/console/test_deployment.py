"""Production configuration: the deploy checklist is clean and compose matches the settings."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENVIRONMENT = {
    "FUSEBOX_DEBUG": "false",
    "FUSEBOX_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
    "SECRET_KEY": "x7$Pq-production-like-key-with-more-than-fifty-characters-0c9f",
    "ALLOWED_HOSTS": "fusebox.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://fusebox.example.com",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def _manage(*args, environment):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUSEBOX_", "SECRET_KEY"))}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_checklist_reports_nothing_with_production_values():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=PRODUCTION_ENVIRONMENT
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_checklist_asks_for_a_shared_cache():
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "CACHE_URL"}

    result = _manage("check", "--deploy", environment=environment)

    assert "console.W001" in result.stderr + result.stdout
    assert "CACHE_URL is not set" in result.stderr + result.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "SECRET_KEY"}

    result = _manage("check", environment=environment)

    assert result.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE" in result.stderr


def test_it_refuses_to_start_without_a_master_key_in_production():
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "FUSEBOX_MASTER_KEY"}

    result = _manage("check", environment=environment)

    assert result.returncode != 0
    assert "vault.E001" in result.stderr and "no master key" in result.stderr


def _variables_read_by_fusebox() -> set[str]:
    names = set()
    pattern = re.compile(r'env_(?:str|bool|int|list|networks|path|secret)\(\s*"([A-Z0-9_]+)"')
    apps = ["console", "vault", "trust", "fusionsets", "builds", "certified", "workers"]
    for path in (p for app in apps for p in (ROOT / app).glob("**/*.py")):
        for name in pattern.findall(path.read_text()):
            names.add(name)
            if 'env_secret("' + name in path.read_text():
                names.add(f"{name}_FILE")
    return names


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_every_production_service_with_a_health_check(compose):
    services = compose["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ["web", "worker", "beat", "postgres", "redis"]:
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "--appendonly" in services["redis"]["command"]
    assert "gunicorn" in services["web"]["command"]
    for name in ["web", "worker"]:
        assert "media:/var/lib/fusebox/media" in services[name]["volumes"]


def test_compose_sets_only_variables_that_fusebox_reads(compose):
    environment = compose["x-fusebox"]["environment"]

    unknown = set(environment) - _variables_read_by_fusebox()

    assert not unknown, f"compose sets variables nothing reads: {sorted(unknown)}"
    assert environment["FUSEBOX_DEBUG"] == "false"
    assert environment["CELERY_BROKER_URL"].startswith("redis://")
    assert environment["DATABASE_URL"].startswith("postgres://")


def test_the_readme_documents_every_variable_compose_sets(compose):
    readme = (ROOT / "README.md").read_text()

    missing = [name for name in compose["x-fusebox"]["environment"] if f"`{name}" not in readme]

    assert not missing
