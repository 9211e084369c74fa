"""The permission matrix: which membership role may do what, written down in one place.

Views, API viewsets, navigation and the README all read this module, so a change to who may
do what is made here once. Roles separate duties: owners run the organization, security
engineers hold the trust material, devops engineers build, auditors read.
"""

OWNER = "owner"
SECURITY = "security"
DEVOPS = "devops"
AUDITOR = "auditor"

ROLE_CHOICES = [
    (OWNER, "Owner"),
    (SECURITY, "Security"),
    (DEVOPS, "DevOps"),
    (AUDITOR, "Auditor"),
]
ROLES = [value for value, _label in ROLE_CHOICES]
ROLE_LABELS = dict(ROLE_CHOICES)

ROLE_SUMMARIES = {
    OWNER: "Manages members, API tokens, organization settings and trust material.",
    SECURITY: "Manages CA certificates, client identities and Fusion Sets.",
    DEVOPS: "Uploads apps, runs builds and downloads their outputs.",
    AUDITOR: "Reads builds, reports and the audit trail; changes nothing.",
}

_EVERYONE = frozenset(ROLES)

# permission -> (description, roles that hold it)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "dashboard.view": ("See the dashboard", _EVERYONE),
    "organization.manage": ("Rename the organization", frozenset({OWNER})),
    "members.view": ("List members and invitations", frozenset({OWNER, AUDITOR})),
    "members.manage": ("Invite, re-role and remove members", frozenset({OWNER})),
    "tokens.manage": ("Create and revoke DEV-API tokens", frozenset({OWNER})),
    "audit.view": ("Read the audit trail", frozenset({OWNER, AUDITOR})),
    "trust.view": ("See CA certificates and client identities", frozenset(ROLES)),
    "trust.manage": (
        "Add and retire CA certificates, identities and signing keys",
        frozenset({OWNER, SECURITY}),
    ),
    "fusionsets.view": ("See Fusion Sets", _EVERYONE),
    "fusionsets.manage": ("Create and change Fusion Sets", frozenset({SECURITY})),
    "apps.upload": ("Upload apps", frozenset({DEVOPS})),
    "builds.run": ("Start and cancel builds", frozenset({DEVOPS})),
    "builds.view": ("See builds and their logs", _EVERYONE),
    "builds.download": ("Download fused apps", frozenset({DEVOPS})),
    "reports.view": ("Read certified reports", _EVERYONE),
}


class UnknownPermission(KeyError):
    """A view asked about a permission the matrix does not define (a typo, never a grant)."""


def has_permission(role: str | None, permission: str) -> bool:
    """Whether ``role`` holds ``permission``; unknown permissions raise instead of denying."""
    if permission not in PERMISSIONS:
        raise UnknownPermission(f"permission {permission!r} is not in console.roles.PERMISSIONS")

    return role in PERMISSIONS[permission][1]


def permissions_for(role: str | None) -> set[str]:
    """Every permission ``role`` holds."""
    return {name for name, (_text, roles) in PERMISSIONS.items() if role in roles}


def matrix_markdown() -> str:
    """The matrix as a Markdown table; the README carries this exact text (a test compares)."""
    header = "| permission | what it allows | " + " | ".join(ROLES) + " |"
    rule = "|---|---|" + "---|" * len(ROLES)
    rows = [header, rule]
    for name, (text, roles) in PERMISSIONS.items():
        marks = " | ".join("yes" if role in roles else "-" for role in ROLES)
        rows.append(f"| `{name}` | {text} | {marks} |")
    return "\n".join(rows) + "\n"
