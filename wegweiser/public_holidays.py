"""The public holidays of a city (its country and state, from its city file's
``public_holidays``), from the `holidays` package.

On a public holiday an offer's weekly hours do not hold, unless its initiative says it is open
then too (``Offer.open_on_public_holidays``): advice centres, courses and offices close, a
crisis line does not. The day is closed as a whole calendar day, in the city's time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays


class UnknownHolidays(ValueError):
    """A city file names a country or state the holidays package does not know."""


@dataclass(frozen=True)
class HolidayCalendar:
    country: str  # ISO 3166-1 alpha-2, "DE"
    subdivision: str | None = None  # the state, as the holidays package names it: "SN"

    def check(self) -> None:
        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError as exc:
            raise UnknownHolidays(str(exc)) from exc

    def is_holiday(self, day: date) -> bool:
        return day in _calendar(self.country, self.subdivision, day.year, None)

    def name_in(self, day: date, language: str) -> str | None:
        """The name of the holiday on ``day`` in ``language``; None if ``day`` is no holiday or
        the package has no names in that language (the page then says "public holiday")."""
        known = _package_language(self.country, language)
        return _calendar(self.country, self.subdivision, day.year, known).get(day) \
            if known else None


@cache
def _calendar(country: str, subdivision: str | None, year: int, language: str | None):
    return holidays.country_holidays(country, subdiv=subdivision, years=year,
                                     language=language)


@cache
def _package_language(country: str, language: str) -> str | None:
    """The package's name of ``language`` for the country ("en" → "en_US"), if it has one."""
    supported = holidays.country_holidays(country).supported_languages
    if language in supported:
        return language
    return min((s for s in supported if s.split("_")[0] == language), default=None)
