class Default(dict):
    def __missing__(self, key):
        return f"<{key}>"

d = Default(a=1)
print(d["a"], d["zz"])
