"""The cast: two organizations, A and B, each with one member per role.

Other suites use it from their own ``conftest.py`` with ``from tests.console.cast import
cast  # noqa: F401``; ``cast.a.user("devops")`` is A's DevOps engineer.
"""

from dataclasses import dataclass, field

import pytest

from console import roles
from tests.console.factories import MembershipFactory, OrganizationFactory, UserFactory


@dataclass
class Team:
    organization: object
    members: dict = field(default_factory=dict)

    def user(self, role: str):
        return self.members[role]


@dataclass
class Cast:
    a: Team
    b: Team


def build_cast() -> Cast:
    teams = []
    for letter in "ab":
        organization = OrganizationFactory(name=f"Org {letter.upper()}", slug=f"org-{letter}")
        team = Team(organization)
        for role in roles.ROLES:
            user = UserFactory(username=f"{letter}-{role}")
            MembershipFactory(organization=organization, user=user, role=role)
            team.members[role] = user
        teams.append(team)
    return Cast(*teams)


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()
