class ValidationError(Exception):
    pass
def validate(user):
    if "@" not in user.get("email", ""):
        raise ValidationError("invalid email for " + user["name"])
    return True
for u in [{"name": "a", "email": "a@x.io"}, {"name": "b", "email": "b-at-x"}]:
    print(u["name"], validate(u))
