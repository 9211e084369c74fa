"""The Fusebox console: project settings, tenancy, authentication and dashboard."""
