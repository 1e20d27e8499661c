"""Start the local OpenID Connect provider: `python -m tests.oidc_provider.serve PORT
REDIRECT_URI`. Creates its SQLite file, an RSA signing key, the user `ada` (password
`lovelace-1815`) and the client `dispatch-e2e`, then serves on 127.0.0.1:PORT."""

import os
import sys
import tempfile


def main(port: int, redirect_uri: str) -> None:
    from jwcrypto import jwk

    workdir = tempfile.mkdtemp(prefix="oidc-provider-")
    os.environ["OIDC_DB"] = os.path.join(workdir, "db.sqlite3")
    os.environ["OIDC_RSA_PRIVATE_KEY"] = jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(
        private_key=True, password=None).decode()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("ada", "ada@example.com", "lovelace-1815", first_name="Ada",
                                    last_name="Lovelace")
    Application.objects.create(
        name="Dispatch e2e", user=user, client_id="dispatch-e2e", client_secret="dispatch-e2e-secret",
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri, algorithm=Application.RS256_ALGORITHM, skip_authorization=True,
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True, skip_checks=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
