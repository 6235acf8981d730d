"""Request shortcuts of the conversation tests."""


def start(client, counselor):
    return client.put("/conversation", {"counselor": counselor.id}, format="json")
