"""OpenAPI descriptions of Fusebox's authentication, for drf-spectacular's schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "console.api_auth.TokenAuthentication"
    name = "devApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A DEV-API token: `Token <key>` (the bare key is accepted too).",
        }


class ConsoleSessionScheme(OpenApiAuthenticationExtension):
    target_class = "console.api_auth.ConsoleSessionAuthentication"
    name = "consoleSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
