"""Simulated visitors for benchmarks/load_benchmark.py (run through it, not on its own).

The mix: 70 % searches (the judged queries of tests/data/judged_queries.toml in their eight
languages, natural-language questions among them, half of them with filters, and a share of
filters-only searches), 20 % offer pages, 10 % start pages, each in the visitor's language; a
visitor waits 1 to 3 s between pages. WEGWEISER_LOAD_MIX names the JSON file with the queries,
filter values and offer ids; WEGWEISER_LOAD_MAX_REQUESTS ends the run after that many
requests. Only the host given to locust (127.0.0.1) is asked.
"""
from __future__ import annotations

import json
import os
import random
from urllib.parse import urlencode

from locust import HttpUser, between, events, task

MIX = json.loads(open(os.environ["WEGWEISER_LOAD_MIX"], encoding="utf-8").read())
MAX_REQUESTS = int(os.environ.get("WEGWEISER_LOAD_MAX_REQUESTS", "0"))
_sent = 0


@events.request.add_listener
def _count(**_kwargs) -> None:
    global _sent
    _sent += 1
    if MAX_REQUESTS and _sent >= MAX_REQUESTS:
        runner = _count.environment.runner
        if runner is not None:
            runner.quit()


@events.init.add_listener
def _remember(environment, **_kwargs) -> None:
    _count.environment = environment


def search_parameters(rng: random.Random) -> tuple[str, dict]:
    """A visitor's search: (language, query parameters)."""
    query = rng.choice(MIX["queries"])
    params: dict = {"q": query["q"]}
    if rng.random() < 0.15:  # browsing by filters only
        params = {}
    if not params or rng.random() < 0.5:
        filters = MIX["filters"]
        for name in rng.sample(["area", "category", "target_group"], rng.choice([1, 1, 2])):
            params[name] = rng.choice(filters[name])
        if rng.random() < 0.2:
            params[rng.choice(["free", "open_now", "accessible"])] = "1"
    return query["lang"], params


class Visitor(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.lang = self.rng.choice(MIX["languages"])

    @task(70)
    def search(self) -> None:
        lang, params = search_parameters(self.rng)
        self.client.get(f"/{lang}/search?{urlencode(params)}", name="search")

    @task(20)
    def offer(self) -> None:
        self.client.get(f"/{self.lang}/offers/{self.rng.choice(MIX['offers'])}", name="offer")

    @task(10)
    def start_page(self) -> None:
        self.client.get(f"/{self.lang}/", name="start")
