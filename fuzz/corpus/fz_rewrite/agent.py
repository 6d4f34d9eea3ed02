x = "ab".ljust(4)
class C(Enum):
    a: int = 1
print(f"{a=!r:>{w},}", s[::2], {**d, "k": 1})
