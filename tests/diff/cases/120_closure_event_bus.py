def make_bus():
    handlers = {}
    def on(event, fn):
        handlers.setdefault(event, []).append(fn)
    def emit(event, *args):
        return [fn(*args) for fn in handlers.get(event, [])]
    return on, emit
on, emit = make_bus()
log = []
on("save", lambda doc: log.append("saved " + doc) or len(log))
on("save", lambda doc: doc.upper())
on("delete", lambda doc, force=False: "deleted %s force=%s" % (doc, force))
print(emit("save", "a.txt"))
print(emit("save", "b.txt"))
print(emit("delete", "c.txt"), emit("unknown"))
print(log)
