"""Read what providers on a folder link put in `<folder>/van-aanbieder/`: each file is
received (checked, answered, processed) and moved to `verwerkt/` or, when refused at the
XSD level, to `geweigerd/` with the reasons beside it.

Files are received in batches (`exchange.receive_batch`, issue #14): a batch is one
transaction, and its files are moved only after it is committed, so a pickup that stops
halfway leaves the unprocessed files where they were for the next run. A batch that fails
on an unexpected error is received again file by file; a file that fails on its own is set
aside in `fout/` with the error beside it (and logged), so it cannot block the others."""

import logging

from django.core.management.base import BaseCommand

from openarrangementen.core.memo import batch
from openarrangementen.iwmo.exchange import BATCH_SIZE, receive_batch
from openarrangementen.iwmo.links import LinkError, folder_path, inside
from openarrangementen.iwmo.models import Endpoint

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Verwerk de iWmo-berichten in de mappen van de aanbieders."

    def handle(self, *args, **options):
        totals = {"verwerkt": 0, "geweigerd": 0, "fout": 0}
        links = Endpoint.objects.filter(transport=Endpoint.Transport.FOLDER).select_related(
            "provider", "region"
        )
        for endpoint in links:
            try:
                folder = folder_path(endpoint.folder)
            except LinkError as exc:
                self.stderr.write(f"{endpoint}: {exc}")
                continue
            incoming = folder / "van-aanbieder"
            if incoming.is_symlink() or (incoming.exists() and not inside(incoming, folder)):
                self.stderr.write(f"{endpoint}: van-aanbieder verwijst buiten de map.")
                continue
            if not incoming.is_dir():
                continue
            paths = [
                path
                for path in sorted(incoming.glob("*.xml"))
                # never read a file outside the link's folder
                if not path.is_symlink() and inside(path, incoming)
            ]
            with batch():
                for start in range(0, len(paths), BATCH_SIZE):
                    for outcome in self._pick_up(endpoint, paths[start : start + BATCH_SIZE]):
                        totals[outcome] += 1
        summary = f"{totals['verwerkt']} verwerkt, {totals['geweigerd']} geweigerd"
        if totals["fout"]:
            summary += f", {totals['fout']} niet verwerkt door een fout (zie fout/)"
        self.stdout.write(summary + ".")

    def _pick_up(self, endpoint, part) -> list[str]:
        """Receive one batch and file each of its files; the outcome per file."""
        try:
            results = self._receive(endpoint, part)
        except Exception:  # noqa: BLE001 - rolled back; retried file by file
            logger.exception("Folder pickup of %s: batch failed", endpoint)
            return [self._one_by_one(endpoint, path) for path in part]
        return [self._move(path, result) for path, result in zip(part, results, strict=True)]

    def _one_by_one(self, endpoint, path) -> str:
        try:
            (result,) = self._receive(endpoint, [path])
        except Exception as exc:  # noqa: BLE001 - set aside, logged
            logger.exception("Folder pickup: %s not received", path.name)
            self._file(
                path,
                "fout",
                f"Niet verwerkt door een fout in Open Arrangementen: {exc}\n"
                "Er is niets van dit bericht opgeslagen. Zet het bestand terug in van-aanbieder/ "
                "als de fout is verholpen.",
            )
            return "fout"
        return self._move(path, result)

    @staticmethod
    def _receive(endpoint, paths):
        return receive_batch(
            [path.read_bytes() for path in paths],
            transport=Endpoint.Transport.FOLDER,
            provider=endpoint.provider,
            region=endpoint.region,
        )

    @classmethod
    def _move(cls, path, result) -> str:
        if result.refused and result.retour is None:
            cls._file(path, "geweigerd", "\n".join(result.errors))
            return "geweigerd"
        cls._file(path, "verwerkt")
        return "verwerkt"

    @staticmethod
    def _file(path, outcome: str, reason: str | None = None) -> None:
        """Move the file from van-aanbieder/ to the folder of its outcome, the reason
        beside it."""
        target = path.parent.parent / outcome
        target.mkdir(exist_ok=True)
        path.replace(target / path.name)
        if reason is not None:
            (target / f"{path.name}.fout.txt").write_text(reason, encoding="utf-8")
