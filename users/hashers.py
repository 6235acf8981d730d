from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with tiny costs, selected only by FAST_PASSWORD_HASHING for the test suite."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
