from django.db import migrations


def install_zrm_2017(apps, schema_editor):
    """Every installation starts with the ZRM 2017 in use; beheer can add other versions."""
    from openarrangementen.cases.zrm import ZRM_2017_DOMAINS, ZRM_2017_NAME, ZRM_LEVEL_NAMES

    Matrix = apps.get_model("cases", "SelfSufficiencyMatrix")
    Domain = apps.get_model("cases", "ZrmDomain")
    if Matrix.objects.filter(is_current=True).exists():
        return
    matrix, _ = Matrix.objects.get_or_create(
        name=ZRM_2017_NAME, defaults={"level_names": ZRM_LEVEL_NAMES, "is_current": True}
    )
    for number, name in enumerate(ZRM_2017_DOMAINS, start=1):
        Domain.objects.get_or_create(matrix=matrix, number=number, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(install_zrm_2017, migrations.RunPython.noop)]
