class A:
    pass

a = A()
try:
    a.missing
except AttributeError as e:
    print("AttributeError caught")
print(getattr(a, "missing", 5), hasattr(a, "x"))
