"""API tokens, sent as `Authorization: Token <key>` or `Bearer <key>`.

DRF's TokenAuthentication reads only the "Token" scheme and passes any other
by, so a generated client sending the standard `Bearer` scheme was served as
anonymous without a word: its writes failed with a bare 401 and a curator's
reads missed their drafts. Both schemes name the same key here; a bad key
under either is a 401. Other schemes (a proxy's Basic credentials) are still
not ours to read.
"""

from rest_framework import authentication, exceptions

SCHEMES = ("Token", "Bearer")


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_header(self, request) -> str:
        """A 401's WWW-Authenticate: both schemes this API reads (RFC 9110
        allows a list of challenges), so a client learns it may send either."""
        return 'Bearer realm="api", Token realm="api"'

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in {
            scheme.lower() for scheme in SCHEMES
        }:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: send 'Token <key>' or 'Bearer <key>', "
                "the key with no spaces."
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: the key has characters a key never has."
            ) from exc
        return self.authenticate_credentials(key)
