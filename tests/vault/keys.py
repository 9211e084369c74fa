"""A throwaway master key file for tests, so no test depends on a developer's keys."""

from vault.providers import new_master_key_line


def use_test_master_key(monkeypatch, directory, versions=(1,)):
    path = directory / "master.keys"
    path.write_text("\n".join(new_master_key_line(version) for version in versions) + "\n")
    monkeypatch.setenv("FUSEBOX_MASTER_KEY_FILE", str(path))
    monkeypatch.delenv("FUSEBOX_MASTER_KEY", raising=False)
    return path
