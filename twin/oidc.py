"""Bearer tokens from a municipality's own identity provider (OpenID Connect JWTs).

Many administrations already run an identity provider (Keycloak, ADFS, the Land's
portal account). Instead of issuing twin tokens to its staff, a municipality can name
the provider in ``[oidc]``: a JWT is then checked against the provider's published keys
(JWKS, fetched and cached per URL, refetched when a new key id appears), its issuer,
audience and expiry, and its role is read from a claim. The twin never sees a password.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jwt

from twin.access import Principal
from twin.config import OidcConfig, Role
from twin.errors import AuthenticationError, UnavailableError


@cache
def _keys(jwks_url: str) -> jwt.PyJWKClient:
    """One key client per provider, so its keys are fetched once and then cached."""
    return jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer token has a JWT's three dot-separated parts (twin tokens have none)."""
    return token.count(".") == 2


def oidc_principal(config: OidcConfig, token: str) -> Principal:
    """The caller a provider's JWT stands for; 401 with the reason if it does not hold."""
    try:
        key = _keys(config.jwks_url).get_signing_key_from_jwt(token)
    except jwt.PyJWKClientConnectionError as err:
        raise UnavailableError(
            f"the identity provider's keys at {config.jwks_url} cannot be fetched: {err}",
            hint="Try again later; if it persists, check [oidc] jwks_url in the config.",
        ) from None
    except jwt.PyJWTError as err:
        raise _refused(f"its signing key is not the identity provider's ({err})") from None
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=config.algorithms,
            audience=config.audience,
            issuer=config.issuer,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as err:
        raise _refused(str(err)) from None
    return Principal(
        str(claims.get(config.name_claim) or claims.get("sub") or "?"), _role(config, claims)
    )


def _role(config: OidcConfig, claims: dict[str, Any]) -> Role:
    """The highest role the token's claim maps to (a user may hold several)."""
    value: Any = claims
    for part in config.role_claim.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    values = value if isinstance(value, list) else [value]
    roles = [config.roles[v] for v in values if isinstance(v, str) and v in config.roles]
    if not roles:
        raise _refused(
            f"its claim {config.role_claim!r} holds none of {sorted(config.roles)}",
            hint="Ask the identity provider's administrator to assign a twin role.",
        )
    order = list(Role)
    return max(roles, key=order.index)


def _refused(
    reason: str, *, hint: str = "Log in again to get a fresh token."
) -> AuthenticationError:
    return AuthenticationError(
        f"the identity provider's token is not accepted: {reason}", hint=hint
    )
