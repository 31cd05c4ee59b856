"""Install the iWmo 3.2 XSDs (and the reference folder, when present) from a folder or the
official release zip into IWMO_SCHEMA_DIR. The new set is loaded and checked in a temporary
folder first; the installed set is replaced only when all 15 schemas load."""

import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openarrangementen.iwmo import schemas
from openarrangementen.iwmo.rules import base as rules_base

NEEDED = ["basisschema.xsd", *[f"WMO{code}.xsd" for code in schemas.MESSAGE_CODES]]
MAX_ZIP_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = "Installeer de iWmo 3.2-schema's uit een map of de release-zip."

    def add_arguments(self, parser):
        parser.add_argument("source", help="map of zip met basisschema.xsd en WMO*.xsd")
        parser.add_argument("--target", help="doelmap (standaard IWMO_SCHEMA_DIR)", default=None)

    def handle(self, *args, source, target=None, **options):
        source_path = Path(source)
        target_path = Path(target or settings.IWMO_SCHEMA_DIR)
        if not source_path.exists():
            raise CommandError(f"{source_path} bestaat niet.")
        with tempfile.TemporaryDirectory() as work:
            work_path = Path(work)
            if source_path.is_file():
                root = self._unzip(source_path, work_path / "zip")
            else:
                root = source_path
            found = self._find_root(root)
            staged = work_path / "staged"
            staged.mkdir()
            for name in NEEDED:
                shutil.copy2(found / name, staged / name)
            for extra in ("reference", "examples"):
                if (found / extra).is_dir():
                    shutil.copytree(found / extra, staged / extra)
            try:
                loaded = schemas._load(staged)
            except Exception as exc:  # any XSD that does not load refuses the whole set
                raise CommandError(f"De schema's laden niet: {exc}") from exc
            finally:
                schemas._load.cache_clear()
            if target_path.resolve() == found.resolve():
                self.stdout.write("De schema's staan al in de doelmap; niets gekopieerd.")
            else:
                target_path.mkdir(parents=True, exist_ok=True)
                for name in NEEDED:
                    shutil.copy2(staged / name, target_path / name)
                for extra in ("reference", "examples"):
                    if (staged / extra).is_dir():
                        shutil.rmtree(target_path / extra, ignore_errors=True)
                        shutil.copytree(staged / extra, target_path / extra)
        schemas.reset()
        rules_base.reset()
        versions = sorted({v[1] for v in loaded.xsd_versions.values()})
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(NEEDED)} schema's geïnstalleerd in {target_path} "
                f"(berichtversie {', '.join(versions)})."
            )
        )

    def _unzip(self, path: Path, into: Path) -> Path:
        if not zipfile.is_zipfile(path):
            raise CommandError(f"{path} is geen map en geen zip.")
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > MAX_ZIP_BYTES:
                raise CommandError("De zip is uitgepakt te groot; is dit de iWmo-release?")
            for info in archive.infolist():
                # No absolute paths or ".." (zip slip).
                target = (into / info.filename).resolve()
                if not str(target).startswith(str(into.resolve())):
                    raise CommandError(f"Onveilig pad in de zip: {info.filename}")
            archive.extractall(into)
        return into

    def _find_root(self, root: Path) -> Path:
        for candidate in [root, *sorted(p.parent for p in root.rglob("basisschema.xsd"))]:
            if all((candidate / name).is_file() for name in NEEDED):
                return candidate
        missing = [n for n in NEEDED if not any(root.rglob(n))]
        raise CommandError(
            "Niet alle schema's gevonden"
            + (f"; ontbreekt: {', '.join(missing)}" if missing else " in één map")
            + "."
        )
