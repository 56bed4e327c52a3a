from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from directory.models import PriceBand


@admin.register(PriceBand)
class PriceBandAdmin(SimpleHistoryAdmin):
    list_display = ["label", "slug", "min_pence", "max_pence", "order"]
    list_editable = ["order"]
    search_fields = ["label"]
    prepopulated_fields = {"slug": ("label",)}
