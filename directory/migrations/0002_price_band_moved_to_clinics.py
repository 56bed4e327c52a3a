from django.db import migrations


class Migration(migrations.Migration):
    """Price bands now live in clinics (copied there by clinics 0006)."""

    dependencies = [
        ("directory", "0001_initial"),
        ("clinics", "0006_price_band_from_directory"),
    ]

    operations = [
        migrations.DeleteModel(name="HistoricalPriceBand"),
        migrations.DeleteModel(name="PriceBand"),
    ]
