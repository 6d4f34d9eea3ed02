class Record:
    def __init__(self, **fields):
        for k, v in fields.items():
            setattr(self, k, v)
    def __getattr__(self, name):
        return "<no %s>" % name
r = Record(name="widget", price=9.5)
print(r.name, r.price, r.color)
print(hasattr(r, "name"), getattr(r, "price", 0), getattr(r, "weight"))
r.price = 11
print(r.price)
