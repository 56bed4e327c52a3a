from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Free-text search on PostgreSQL (clinics/search.py) needs pg_trgm and unaccent. Both are
    trusted extensions, so a database owner can create them; on SQLite this does nothing."""

    dependencies = [("clinics", "0001_initial")]

    operations = [TrigramExtension(), UnaccentExtension()]
