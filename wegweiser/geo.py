"""Distances on the earth, and positions rounded before they leave a reader's device.

A reader's position travels to the server only rounded to a grid of ``GRID`` degrees
(static/js/shortlist.js rounds it; the server rounds whatever it is sent once more), so a
results address never says more than "somewhere in this block of about 500 m".
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

EARTH_RADIUS_KM = 6371.0088
# 0.005° is 556 m north–south everywhere and 348 m east–west at Leipzig's latitude.
GRID = 0.005
DECIMALS = 3

Point = tuple[float, float]


class Place(NamedTuple):
    """Where results are ordered from. ``key`` is how a link names it: an area's slug, or
    empty for a position (then the link carries the rounded position itself)."""

    lat: float
    lon: float
    key: str = ""

    @property
    def query_value(self) -> str:
        return self.key or format_point((self.lat, self.lon))


def distance_km(lat, lon, to_lat: float, to_lon: float):
    """Great-circle distance (haversine) from ``(lat, lon)`` to ``(to_lat, to_lon)`` in km;
    ``lat`` and ``lon`` may be numbers or numpy arrays (missing coordinates as NaN)."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2, lon2 = math.radians(to_lat), math.radians(to_lon)
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * math.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def rounded(lat: float, lon: float) -> Point:
    """The point of the ``GRID`` nearest to ``(lat, lon)``."""
    def snap(value: float) -> float:
        return round(round(value / GRID) * GRID, DECIMALS)
    return snap(lat), snap(lon)


def parse_point(text: str) -> Point:
    """``"51.340,12.375"`` as a point on the grid; ValueError for anything else (not two
    numbers, not finite, outside the earth's ranges)."""
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("must be latitude,longitude in decimal degrees")
    try:
        lat, lon = (float(p.strip()) for p in parts)
    except ValueError:
        raise ValueError("must be two numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("must be finite numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("latitude must be from -90 to 90, longitude from -180 to 180")
    return rounded(lat, lon)


def format_point(point: Point) -> str:
    """A point as a query value: ``"51.340,12.375"``."""
    return f"{point[0]:.{DECIMALS}f},{point[1]:.{DECIMALS}f}"
