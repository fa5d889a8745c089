"""The accessibility gate on a desktop (test_accessibility.py has the gate and its pages; the
phone's half runs there, this half in a worker of its own)."""
from __future__ import annotations

import pytest

from .test_accessibility import check_every_page

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_every_page_type_in_every_language_has_no_violation_on_a_desktop(app, server, capsys):
    check_every_page(app, server, capsys, "desktop")
