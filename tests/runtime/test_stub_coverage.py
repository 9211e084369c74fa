"""Every android.* member the runtime references exists, with that descriptor, in the stubs.

The JVM resolves references lazily, so a branch the JVM tests never take (an older API
level, a failing system service) could name a member no stub has. This check covers every
reference in the smali; the stubs themselves copy Android's public signatures.
"""

import itertools
import re
import subprocess

import pytest

from tests.runtime.jvm import missing_jvm_tools
from workers.engine.runtime.dex_patch import RUNTIME_DEX_PATH

SMALI_DIR = RUNTIME_DEX_PATH.with_name("smali")
METHOD_REF = re.compile(r"L(android/[\w/$]+);->([\w<>$]+)\(([^)]*)\)(\S+)")
FIELD_REF = re.compile(r"L(android/[\w/$]+);->(\w+):(\S+)")
SUPER_REF = re.compile(r"^\.(?:super|implements) L(android/[\w/$]+);", re.M)


def referenced_members() -> dict[str, set[str]]:
    """Class name to the members the smali uses, as "name descriptor"."""
    members: dict[str, set[str]] = {}
    for path in SMALI_DIR.rglob("*.smali"):
        text = path.read_text()
        for owner, name, params, result in METHOD_REF.findall(text):
            members.setdefault(owner, set()).add(f"{name} ({params}){result}")
        for owner, name, descriptor in FIELD_REF.findall(text):
            members.setdefault(owner, set()).add(f"{name} {descriptor}")
        for owner in SUPER_REF.findall(text):
            members.setdefault(owner, set())
    return members


def stub_members(stubs, class_name: str) -> set[str]:
    listing = subprocess.run(
        ["javap", "-s", "-p", "-cp", str(stubs), class_name.replace("/", ".")],
        capture_output=True,
        text=True,
    )
    assert listing.returncode == 0, f"no stub for {class_name}: {listing.stderr.strip()}"

    found = set()
    qualified = class_name.replace("/", ".")
    lines = listing.stdout.splitlines()
    for declaration, descriptor in itertools.pairwise(lines):
        if not descriptor.strip().startswith("descriptor:"):
            continue
        descriptor = descriptor.split(":", 1)[1].strip()
        head = declaration.split("(", 1)[0].split()
        if not head:
            continue
        name = head[-1].rstrip(";")
        name = "<init>" if name == qualified else name.rsplit(".", 1)[-1]
        found.add(f"{name} {descriptor}")
    return found


@pytest.mark.skipif(bool(missing_jvm_tools()), reason="javac/javap missing")
def test_every_android_member_the_runtime_uses_is_in_the_stubs(jvm_stubs):
    missing = []
    for class_name, members in sorted(referenced_members().items()):
        available = stub_members(jvm_stubs, class_name)
        missing += [f"{class_name} {m}" for m in sorted(members - available)]

    assert not missing


def test_the_check_sees_the_references_it_should():
    members = referenced_members()

    assert (
        "getApkContentsSigners ()[Landroid/content/pm/Signature;"
        in members["android/content/pm/SigningInfo"]
    )
    assert "SECURITY_PATCH Ljava/lang/String;" in members["android/os/Build$VERSION"]
    assert "android/content/ContentProvider" in members
