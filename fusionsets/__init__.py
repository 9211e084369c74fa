"""Versioned security templates that builds apply."""
