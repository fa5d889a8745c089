"""Screenshots for people to look at (tests/artifacts), taken so that a failed capture does not
fail the behaviour a test checks.

Chromium now and then refuses a capture ("Protocol error (Page.captureScreenshot): Unable to
capture screenshot"): a full-page shot of a tall page while both cores are busy failed a CI run
after every assertion of its test had passed (2026-12-06). The capture is tried again after a
pause; if it still fails, the test warns that the picture is missing and goes on."""
from __future__ import annotations

import time
import warnings

ATTEMPTS = 3
PAUSE_SECONDS = 1.0
REFUSED = "Unable to capture screenshot"


class MissingScreenshot(UserWarning):
    """A screenshot could not be taken; the test's assertions still ran."""


def screenshot(target, path: str, **options) -> bool:
    """``target.screenshot(path=path, **options)`` (a page or a locator); True if it was saved."""
    from playwright.sync_api import Error

    for attempt in range(1, ATTEMPTS + 1):
        try:
            target.screenshot(path=path, **options)
            return True
        except Error as error:
            if REFUSED not in str(error):
                raise  # not a refused capture: a missing locator, a closed page, a timeout

            if attempt == ATTEMPTS:
                warnings.warn(MissingScreenshot(f"{path}: {error}"), stacklevel=2)
                return False
            time.sleep(PAUSE_SECONDS * attempt)
    return False
