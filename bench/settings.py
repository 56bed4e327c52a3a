"""Settings for the benchmark: the site's own, read from the environment as in production, with
the reference page added and a way to ask how many SQL queries a request ran.

bench/run serves the site with DJANGO_SETTINGS_MODULE=bench.settings, DEBUG=false.
"""

from directory.settings import *  # noqa: F403
from directory.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"

# First, so that it sees every query of the request, the other middleware's included. It does
# nothing unless the request carries X-Bench-Count-Queries, which wrk's requests do not.
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]
