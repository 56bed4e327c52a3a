"""Make a table hold a given set of rows, matched on a natural key, in bulk.

The demo loader describes the data it wants as plain dicts; `sync_rows` inserts the missing ones
and updates the ones that differ, so a second run finds nothing to do and changes nothing.
Bulk statements keep the national-scale data set (tens of thousands of rows) to minutes.
"""

from dataclasses import dataclass

BATCH_SIZE = 2000


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0

    def __add__(self, other):
        return SyncResult(self.created + other.created, self.updated + other.updated)


def sync_rows(model, rows, key):
    """Insert or update `rows` (dicts of field attnames) in `model`, matched on the `key` fields.

    Returns a SyncResult and a {key: pk} map covering every row, for linking children.
    """
    key = tuple(key)
    rows = list(rows)
    if not rows:
        return SyncResult(), {}
    fields = [name for name in rows[0] if name not in key]
    existing = {
        tuple(values[k] for k in key): values
        for values in model.objects.values("pk", *key, *fields).iterator(chunk_size=BATCH_SIZE)
    }
    to_create, to_update = [], []
    for row in rows:
        found = existing.get(tuple(row[k] for k in key))
        if found is None:
            to_create.append(model(**row))
        elif any(found[name] != row[name] for name in fields):
            to_update.append(model(pk=found["pk"], **row))
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update and fields:
        model.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
    pks = {k: values["pk"] for k, values in existing.items()}
    pks.update({tuple(getattr(obj, k) for k in key): obj.pk for obj in to_create})
    return SyncResult(len(to_create), len(to_update)), pks
