"""Read what providers on a folder link put in `<folder>/van-aanbieder/`: each file is
received (checked, answered, processed) and moved to `verwerkt/` or, when refused at the
XSD level, to `geweigerd/` with the reasons beside it."""

from django.core.management.base import BaseCommand

from openarrangementen.iwmo.exchange import receive
from openarrangementen.iwmo.links import LinkError, folder_path, inside
from openarrangementen.iwmo.models import Endpoint


class Command(BaseCommand):
    help = "Verwerk de iWmo-berichten in de mappen van de aanbieders."

    def handle(self, *args, **options):
        totals = {"verwerkt": 0, "geweigerd": 0}
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
            for path in sorted(incoming.glob("*.xml")):
                if path.is_symlink() or not inside(path, incoming):
                    continue  # never read a file outside the link's folder
                result = receive(
                    path.read_bytes(), transport=Endpoint.Transport.FOLDER,
                    provider=endpoint.provider, region=endpoint.region,
                )  # fmt: skip
                outcome = "geweigerd" if result.refused and result.retour is None else "verwerkt"
                target = incoming.parent / outcome
                target.mkdir(exist_ok=True)
                path.replace(target / path.name)
                if outcome == "geweigerd":
                    (target / f"{path.name}.fout.txt").write_text(
                        "\n".join(result.errors), encoding="utf-8"
                    )
                totals[outcome] += 1
        self.stdout.write(f"{totals['verwerkt']} verwerkt, {totals['geweigerd']} geweigerd.")
