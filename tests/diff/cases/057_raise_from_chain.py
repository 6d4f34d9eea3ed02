class ConfigError(Exception):
    pass
def load(text):
    try:
        return int(text)
    except ValueError as e:
        raise ConfigError("bad config value: " + text) from e
try:
    load("12x")
except ConfigError as e:
    print(type(e).__name__, e)
print(load("12"))
load("oops")
