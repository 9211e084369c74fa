"""Envelope encryption of tenant secrets at rest."""
