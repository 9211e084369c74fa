"""Validators of the catalog's features, one module per feature."""
