"""pylti1p3 objects built from Tandem's registrations and keys (for deep-linking responses and services)."""

from __future__ import annotations

from pylti1p3.registration import Registration

from plugin.services.keys import KeyInfo
from plugin.services.platforms import RegistrationInfo


class TandemRegistration(Registration):
    """A pylti1p3 registration that signs with Tandem's current key and names it by Tandem's kid."""

    def __init__(self, info: RegistrationInfo, key: KeyInfo) -> None:
        super().__init__()
        self._kid = key.kid
        self.set_issuer(info.issuer)
        self.set_client_id(info.client_id)
        self.set_auth_login_url(info.auth_login_url)
        self.set_auth_token_url(info.auth_token_url)
        self.set_key_set_url(info.key_set_url)
        self.set_tool_private_key(key.private_pem)
        if info.auth_audience:
            self.set_auth_audience(info.auth_audience)

    def get_kid(self) -> str:
        return self._kid
