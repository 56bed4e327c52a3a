"""gunicorn's settings beyond its command line (ops/serve and bench/run pass --config)."""


def post_worker_init(worker):
    """Each worker builds its listings index (clinics/index.py) before it takes a request, so
    that the first searches after a start or a restart are as quick as the rest (the build
    takes about 1.5 s at national scale)."""
    from clinics.index import listings_index

    try:
        listings_index()
    except Exception:  # a database not there yet, say: then the first search builds it
        worker.log.exception("The listings index could not be built at start")
