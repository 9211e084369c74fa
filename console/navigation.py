"""Navigation entries and dashboard cards that apps register for themselves.

An app calls ``register_nav_item`` / ``register_dashboard_card`` from its
``AppConfig.ready()``; the base layout shows each entry only to roles that hold its
permission, so the console never has to know about the apps built on it.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from console import roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    order: int = 100
    section: str = "main"  # "main" (the product) or "organization" (members, tokens, audit)


@dataclass(frozen=True)
class DashboardCard:
    """A card on the dashboard: ``template`` renders with the request context."""

    title: str
    template: str
    permission: str
    order: int = 100


_nav_items: dict[str, NavItem] = {}
_dashboard_cards: dict[str, DashboardCard] = {}


def register_nav_item(item: NavItem) -> None:
    """Add (or replace, by url name) an entry of the side navigation."""
    roles.has_permission(roles.OWNER, item.permission)  # unknown permissions fail here
    _nav_items[item.url_name] = item


def register_dashboard_card(card: DashboardCard) -> None:
    """Add (or replace, by template) a dashboard card."""
    roles.has_permission(roles.OWNER, card.permission)
    _dashboard_cards[card.template] = card


def nav_items_for(role: str | None, section: str) -> list[dict]:
    items = sorted(
        (i for i in _nav_items.values() if i.section == section),
        key=lambda item: (item.order, item.label),
    )
    visible = []
    for item in items:
        if role is None or not roles.has_permission(role, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return visible


def dashboard_cards_for(role: str | None) -> list[DashboardCard]:
    cards = sorted(_dashboard_cards.values(), key=lambda card: (card.order, card.title))
    return [c for c in cards if role is not None and roles.has_permission(role, c.permission)]
