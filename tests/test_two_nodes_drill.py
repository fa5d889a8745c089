"""The short version of the two-node drill (drills/two_nodes.py): two gunicorn instances with
an index directory each on one database, a few readers, a few saves; every save is searchable
on both nodes, and nothing answers an error."""
from __future__ import annotations

from pathlib import Path

from .helpers import load_drill

two_nodes = load_drill("two_nodes")

EDITS = 4


def test_two_nodes_converge_after_each_save(directory, tmp_path):
    # Node A serves the fixture's index, node B builds one of its own.
    nodes = two_nodes.prepare(directory.config["SQLALCHEMY_DATABASE_URI"], tmp_path,
                              [Path(directory.config["WEGWEISER_INDEX_DIR"]),
                               tmp_path / "index-b"])
    try:
        outcome = two_nodes.run(nodes, edits=EDITS, readers=4, editors=2, max_seconds=120,
                                visible_seconds=30, requests_per_reader=100, pause=0.2)
        print(outcome.summary())
    finally:
        for node in nodes:
            node.site.close()
    assert not outcome.errors, outcome.summary()
    assert len(outcome.visible) == EDITS, outcome.summary()
    assert outcome.reads > 0
