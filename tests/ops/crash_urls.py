"""A URLconf with a view that fails with personal data in its request, locals and exception text."""

import json

from hotline.api.routing import both
from hotline.urls import urlpatterns as real_patterns


def crash(request):
    profile = json.loads(request.body)
    name_of_caller = profile["name"]  # a local variable holding a name
    raise RuntimeError(
        f"duplicate key value violates unique constraint: Key (phone_number)=({profile['phone']}) "
        f"already exists; id {profile['idNumber']}; caller {name_of_caller[:0]}"
    )


urlpatterns = [*both("crash", crash), *real_patterns]
