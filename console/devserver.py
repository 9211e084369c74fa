"""``make run``: prepare a laptop install and run the console beside a real Celery worker.

Migrates, runs the apps' development hooks (the vault's master key file), seeds a demo
organization with one user per role (printing their logins the one time they are created),
then starts ``runserver`` on 127.0.0.1:8000 and a Celery worker on the embedded filesystem
broker. Ctrl-C stops both. Running it again is safe: nothing is created twice.
"""

import importlib
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

logger = logging.getLogger(__name__)

ADDRESS = os.environ.get("FUSEBOX_DEV_ADDRESS", "127.0.0.1:8000")
DEMO_SLUG = "demo"
DEMO_ROLES = ["owner", "security", "devops", "auditor"]

# Called before the servers start, each only if its module exists: "module.function".
DEVELOPMENT_HOOKS = ["vault.development.ensure_development_master_key"]

STOP_TIMEOUT_SECONDS = 10


def run_development_hooks() -> None:
    for dotted in DEVELOPMENT_HOOKS:
        module_name, function_name = dotted.rsplit(".", 1)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        result = getattr(module, function_name)()
        print(f"  {module_name}: {result}")


def seed_demo_organization() -> list[tuple[str, str, str]]:
    """Create the demo organization and its users; return logins created on this run only."""
    from django.contrib.auth import get_user_model

    from console.audit import record_event
    from console.models import Membership, Organization
    from console.tenancy import unscoped_access

    user_model = get_user_model()
    organization, created = Organization.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Demo Organization"}
    )
    if created:
        record_event(organization, "organization.created", changes={"name": organization.name})

    new_logins = []
    with unscoped_access():
        for role in DEMO_ROLES:
            username = f"demo-{role}"
            user, user_created = user_model.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            if user_created:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
                new_logins.append((username, password, role))
            _membership, joined = Membership.objects.get_or_create(
                user=user, organization=organization, defaults={"role": role}
            )
            if joined:
                record_event(organization, "member.joined", target=user, changes={"role": role})
    return new_logins


def _start(command: list[str], name: str) -> subprocess.Popen:
    print(f"  starting {name}: {' '.join(command)}")
    # Own process group, so stopping it also stops its children (the autoreloader, the pool).
    return subprocess.Popen(command, start_new_session=True)


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    """Interrupt runserver's whole group (reloader and child); ask the worker for a warm stop.

    The worker's main process is signalled alone: it finishes the running task, then stops
    its pool itself.
    """
    for name, process in processes.items():
        if process.poll() is not None:
            continue
        if name == "worker":
            process.send_signal(signal.SIGTERM)
        else:
            os.killpg(process.pid, signal.SIGINT)

    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"  {name} did not stop in {STOP_TIMEOUT_SECONDS}s; killing it")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    print("Fusebox: preparing the laptop install")
    call_command("migrate", interactive=False, verbosity=0)
    print(f"  database migrated ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
    run_development_hooks()
    for folder in (settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}).values():
        if isinstance(folder, str):
            Path(folder).mkdir(parents=True, exist_ok=True)
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)

    logins = seed_demo_organization()
    if logins:
        print("\n  Demo logins (shown this once; reset with `manage.py changepassword`):")
        for username, password, role in logins:
            print(f"    {role:<9} {username:<15} {password}")
        print()
    else:
        print("  demo organization ready (logins were printed on the first run)")

    python = sys.executable
    processes = {
        "console": _start([python, "manage.py", "runserver", ADDRESS], "console"),
        "worker": _start(
            [python, "-m", "celery", "-A", "workers.celery", "worker", "--loglevel=INFO",
             "--concurrency=2", "--hostname=fusebox-dev@%h", "--beat",
             f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}"],
            "worker",
        ),
    }  # fmt: skip
    print(f"\nFusebox console: http://{ADDRESS}/  (Ctrl-C stops the console and the worker)\n")

    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        while not stopping:
            exited = [name for name, p in processes.items() if p.poll() is not None]
            if exited:
                print(f"\n  {', '.join(exited)} exited; stopping the rest")
                break
            time.sleep(0.5)
    finally:
        print("\nFusebox: stopping the console and the worker")
        _stop(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
