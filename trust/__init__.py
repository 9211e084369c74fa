"""CA certificates, client identities and signing keys."""
