"""Counts the SQL queries of one request, when asked, for bench/run's table.

A request with the header X-Bench-Count-Queries gets X-Bench-Queries (how many statements the
request sent to the database, from the first middleware to the last) in its response. Other
requests pass straight through: the load runs measure the site as it is.
"""


def count_queries(get_response):
    from django.db import connection

    def middleware(request):
        if "x-bench-count-queries" not in request.headers:
            return get_response(request)
        statements = []

        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = get_response(request)
        response["X-Bench-Queries"] = str(len(statements))
        return response

    return middleware
