"""Path converters: ids and usernames in URLs are matched by shape, so anything else is a plain 404."""


class HexIdConverter:
    regex = "[0-9a-f]{32}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class UsernameConverter:
    regex = "[A-Za-z0-9_.@-]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
