from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents users.authentication.JWTAuthentication: `Authorization: JWT <token>` (Bearer works too)."""

    target_class = "meiduo_mall.apps.users.authentication.JWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="HTTP_AUTHORIZATION", token_prefix="JWT", bearer_format="JWT"
        )
