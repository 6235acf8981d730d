"""Reading request input with a serializer; errors become -2 envelopes naming the field."""


def validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def body_or_query(request):
    """The JSON body, completed by query parameters (some seed endpoints say 'Query String')."""
    data = request.query_params.dict()
    if isinstance(request.data, dict):
        data.update(request.data)
    return data
