class Base:
    def __init__(self, **kw):
        self.settings = {"base": True}
        self.settings.update(kw)
class Timestamped(Base):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.settings["stamped"] = 1
class Named(Timestamped):
    def __init__(self, name, **kw):
        super().__init__(**kw)
        self.name = name
n = Named("job", retries=3)
print(n.name, sorted(n.settings.items()))
