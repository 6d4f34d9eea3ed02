s = "  Data Science  "
print(repr(s.strip()), s.lower().strip())
print("a,b,,c".split(","))
print("one two  three".split())
print("x".join(["1", "2", "3"]))
print("hello"[::-1])
print("abcdef"[1:5:2])
print("Mississippi".count("ss"), "Mississippi".replace("ss", "SS", 1))
