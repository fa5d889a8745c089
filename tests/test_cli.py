"""The command line: init, reindex and demo on a fresh database."""
from __future__ import annotations

from wegweiser import cli, db
from wegweiser.search import SearchQuery, search_service


def test_init_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(cli.main, ["init"])
    second = runner.invoke(cli.main, ["init"])
    assert first.exit_code == second.exit_code == 0
    assert "Database ready for Leipzig: 63 Ortsteile, 18 categories, 14 target_groups, " \
        "22 languages" in second.output


def test_demo_creates_everything_then_serves(app, monkeypatch):
    served = {}
    monkeypatch.setattr(cli, "run_simple", lambda host, port, application, **kw:
                        served.update(host=host, port=port))
    result = app.test_cli_runner().invoke(cli.main, ["demo", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5099/" in result.output
    assert served == {"host": "127.0.0.1", "port": 5099}
    with app.app_context():
        assert search_service().search(SearchQuery(text="Deutschkurs"), db.session()).total > 0
    again = app.test_cli_runner().invoke(cli.main, ["demo", "--port", "5099"])
    assert again.exit_code == 0 and "Loading the demo data" not in again.output


def test_reindex_reports_what_it_indexed(app):
    runner = app.test_cli_runner()
    result = runner.invoke(cli.main, ["reindex"])
    assert result.exit_code == 0 and "Indexed 0 published offers" in result.output


def test_help_explains_every_command():
    from click.testing import CliRunner

    output = CliRunner().invoke(cli.main, ["--help"]).output
    for command in ("init", "import", "reindex", "demo", "translations"):
        assert command in output


def test_booklet_groups_the_areas_offers_by_category_with_qr_codes(directory, tmp_path):
    runner = directory.test_cli_runner()
    output = tmp_path / "booklet.html"
    result = runner.invoke(cli.main, ["booklet", "--area", "ost", "--lang", "ar",
                                      "--output", str(output), "--base-url",
                                      "https://wegweiser.example"])
    assert result.exit_code == 0, result.output
    html = output.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "المحتويات" in html and "فهرس المنظمات" in html
    entries = html.count('class="sheet-entry"')
    assert entries > 5 and html.count("<svg") >= entries
    assert "https://wegweiser.example/ar/" in html
    assert '<div class="sheet-column" lang="de" dir="ltr">' in html
    assert "<link" not in html, "the file stands alone: the stylesheet is inside it"


def test_booklet_refuses_unknown_areas(app):
    result = app.test_cli_runner().invoke(cli.main, ["booklet", "--area", "atlantis",
                                                     "--lang", "de"])
    assert result.exit_code == 2 and "unknown area 'atlantis'" in result.output
