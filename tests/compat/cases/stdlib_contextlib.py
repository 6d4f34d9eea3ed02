from contextlib import contextmanager, suppress

@contextmanager
def tag(name):
    print(f"<{name}>")
    yield name.upper()
    print(f"</{name}>")

with tag("p") as t:
    print("inside", t)
with suppress(KeyError):
    {}["x"]
print("after")
