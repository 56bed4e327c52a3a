from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from directory.models import PriceBand

# The project's own app sets the site's titles; the apps below it register their models.
admin.site.site_header = "London Physio Directory admin"
admin.site.site_title = "London Physio Directory admin"
admin.site.index_title = "Curate guides, listings and reference data"


@admin.register(PriceBand)
class PriceBandAdmin(SimpleHistoryAdmin):
    list_display = ["label", "slug", "min_pence", "max_pence", "order"]
    list_editable = ["order"]
    search_fields = ["label"]
    prepopulated_fields = {"slug": ("label",)}
