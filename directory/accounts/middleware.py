from django.utils.cache import add_never_cache_headers


class NoStoreAccountPages:
    """Every page under /accounts/ (sign-in, sign-up, reset, email, two-step sign-in, its
    recovery codes) is sent with Cache-Control: no-store, whichever allauth view made it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/accounts/"):
            add_never_cache_headers(response)
        return response
