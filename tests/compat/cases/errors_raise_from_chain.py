class ConfigError(Exception):
    pass

def load(s):
    try:
        return int(s)
    except ValueError as e:
        raise ConfigError(f"bad value {s!r}") from e

try:
    load("x")
except ConfigError as e:
    print(e, type(e.__cause__).__name__)
