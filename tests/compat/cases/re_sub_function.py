import re

def double(m):
    return str(int(m.group()) * 2)

print(re.sub(r"\d+", double, "a1 b22 c333"))
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", "joe@site"))
print(re.subn(r"o", "0", "foo boo"))
