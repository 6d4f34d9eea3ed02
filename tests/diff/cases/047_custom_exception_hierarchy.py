class AppError(Exception):
    pass
class NotFound(AppError):
    def __init__(self, key):
        super().__init__("not found: " + key)
        self.key = key
class Forbidden(AppError):
    pass
def fetch(key):
    if key.startswith("_"):
        raise Forbidden(key)
    if key not in ("a", "b"):
        raise NotFound(key)
    return key.upper()
for k in ["a", "zz", "_secret", "b"]:
    try:
        print("ok", fetch(k))
    except NotFound as e:
        print("missing", e.key, "|", e)
    except AppError as e:
        print("app error", type(e).__name__, e.args)
