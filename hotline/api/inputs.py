"""Reading request input with a serializer; errors become -2 envelopes naming the field."""

from collections.abc import Mapping

from .errors import InvalidParam


def validated(serializer_class, data):
    if not isinstance(data, Mapping):  # `null`, a list or a scalar where an object is expected
        raise InvalidParam("请求体须为JSON对象")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def body_or_query(request):
    """The JSON body, completed by query parameters (some seed endpoints say 'Query String')."""
    data = request.query_params.dict()
    if isinstance(request.data, dict):
        data.update(request.data)
    return data


def query_or_body(request):
    """Parameters of a GET whose seed section says `application/json` (CONTRACT §12): the original
    console sends them as a JSON body on the GET. The query string wins where both give a value."""
    data = {}
    if isinstance(request.data, dict):
        data.update({key: value for key, value in request.data.items() if value is not None})
    data.update(request.query_params.dict())
    return data
