def ws_data(response, status=200):
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["code"] == 0 and "data" in body, body
    return body["data"]


def ws_error(response, status, code):
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["code"] == code and body["data"] is None, body
    return body["message"]
