"""config.settings: what the settings module builds from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_with_every_provider_configured_images_may_still_come_only_from_our_origin():
    """Provider pictures are fetched by the worker (accounts.pictures): no provider image host
    is allowed in img-src, whichever providers the site signs readers in with."""
    env = {**os.environ, "GRAVATAR_ENABLED": "0", "DEBUG": "1"}
    for prefix in ("GOOGLE", "TWITTER", "X", "FACEBOOK"):
        env.update({f"{prefix}_CLIENT_ID": "id", f"{prefix}_CLIENT_SECRET": "secret"})
    code = ("import json, config.settings as s; print(json.dumps([sorted(s.SOCIALACCOUNT_PROVIDERS), "
            "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    providers, img_src = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"google", "facebook", "twitter_oauth2"} <= set(providers)
    assert img_src == ["'self'", "data:"]
