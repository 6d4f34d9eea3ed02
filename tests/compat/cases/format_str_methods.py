s = "hello world"
print(s.title())
print(s.capitalize())
print(s.ljust(15, ".") + "|")
print(s.rjust(15) + "|")
print("42".zfill(6))
print("AbC".swapcase())
