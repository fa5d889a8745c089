"""Settings: every setting is documented, and environment variables override the defaults."""
from __future__ import annotations

from wegweiser import create_app
from wegweiser.config import PROJECT_ROOT, SETTINGS


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env or setting.name}`" in readme, setting.name


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("WEGWEISER_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("WEGWEISER_PER_PAGE", "7")
    monkeypatch.setenv("WEGWEISER_IMPORT_MAX_BYTES", "4096")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    assert app.config["WEGWEISER_INDEX_DIR"] == str(tmp_path / "idx")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["WEGWEISER_PER_PAGE"] == 7
    assert app.config["WEGWEISER_IMPORT_MAX_BYTES"] == 4096
