from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """Standard claims for the test user: name, picture and a verified e-mail."""

    def get_additional_claims(self, request):
        user = request.user
        return {
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.username,
            "email": user.email,
            "email_verified": True,
            # Off-site, as Google's are: the page must never load it (accounts.pictures fetches it).
            "picture": "https://lh3.googleusercontent.com/a/ada-lovelace",
        }
