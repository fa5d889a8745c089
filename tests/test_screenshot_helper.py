"""The browser tests' screenshot helper: a capture Chromium refuses is tried again, a picture
that still cannot be taken is a warning (the test's assertions stand), any other error fails."""
from __future__ import annotations

import pytest

from .browser import screenshots


class Target:
    def __init__(self, failures: list[str]):
        self.failures, self.calls = list(failures), []

    def screenshot(self, path, **options):
        from playwright.sync_api import Error

        self.calls.append((path, options))
        if self.failures:
            raise Error(self.failures.pop(0))


REFUSED = ("Page.screenshot: Protocol error (Page.captureScreenshot): "
           "Unable to capture screenshot")


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(screenshots, "PAUSE_SECONDS", 0)


def test_a_refused_capture_is_tried_again():
    target = Target([REFUSED])
    assert screenshots.screenshot(target, "a.png", full_page=True)
    assert target.calls == [("a.png", {"full_page": True})] * 2


def test_a_capture_refused_every_time_warns_and_lets_the_test_go_on():
    target = Target([REFUSED] * screenshots.ATTEMPTS)
    with pytest.warns(screenshots.MissingScreenshot, match="a.png"):
        assert not screenshots.screenshot(target, "a.png")
    assert len(target.calls) == screenshots.ATTEMPTS


def test_other_errors_fail_the_test():
    target = Target(["Locator.screenshot: Timeout 30000ms exceeded, element not found"])
    from playwright.sync_api import Error
    with pytest.raises(Error, match="Timeout"):
        screenshots.screenshot(target, "a.png")
