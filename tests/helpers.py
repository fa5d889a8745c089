"""Small helpers the tests share: the CSRF token of a page, and a signed-in client."""
from __future__ import annotations

import re

from wegweiser import cli

PASSWORD = "correct horse battery"


def csrf(client, path: str) -> str:
    """The CSRF token of the first form on ``path``."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def invitation_path(app, email: str, role: str, organisation: str | None = None) -> str:
    args = ["user", "create", email, "--role", role, "--base-url", "http://localhost"]
    if organisation:
        args += ["--organisation", organisation]
    output = app.test_cli_runner().invoke(cli.main, args).output
    return re.search(r"http://localhost(/de/invitation/\S+)", output).group(1)


def signed_in(app, email: str, role: str, organisation: str | None = None):
    """A test client of a user invited by the command line who set a password and signed in."""
    path = invitation_path(app, email, role, organisation)
    client = app.test_client()
    client.post(path, data={"csrf_token": csrf(client, path), "password": PASSWORD,
                            "confirm": PASSWORD})
    client.post("/de/login", data={"csrf_token": csrf(client, "/de/login"), "email": email,
                                   "password": PASSWORD})
    return client
