class ValidationError(Exception):
    def __init__(self, field, msg):
        super().__init__(f"{field}: {msg}")
        self.field = field

def validate(rec):
    if "id" not in rec:
        raise ValidationError("id", "missing")
    if rec["id"] < 0:
        raise ValidationError("id", "negative")

for r in [{"id": 1}, {}, {"id": -5}]:
    try:
        validate(r)
        print("ok")
    except ValidationError as e:
        print("invalid", e.field, e)
