from pathlib import Path

from django.conf import settings


def test_iwmo_schema_dir_defaults_to_the_shared_folder_beside_the_checkout():
    repo = Path(__file__).resolve().parents[4]
    assert (repo / "pyproject.toml").exists()
    assert repo.parent / "shared" / "iwmo" / "3.2" == settings.IWMO_SCHEMA_DIR
