class Tracker:
    depth = 0
    def __init__(self, name):
        self.name = name
    def __enter__(self):
        print("  " * Tracker.depth + "enter " + self.name)
        Tracker.depth += 1
        return self
    def __exit__(self, exc_type, exc, tb):
        Tracker.depth -= 1
        status = "ok" if exc_type is None else "caught " + exc_type.__name__
        print("  " * Tracker.depth + "exit " + self.name + " (" + status + ")")
        return exc_type is KeyError
with Tracker("outer"):
    with Tracker("inner") as t:
        print("    inside", t.name)
    with Tracker("failing"):
        {}["missing"]
    print("  after suppressed error")
try:
    with Tracker("bad"):
        1 / 0
except ZeroDivisionError:
    print("zero division propagated")
