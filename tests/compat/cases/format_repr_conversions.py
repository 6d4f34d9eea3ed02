items = ["a", 1, None, 2.5]
for x in items:
    print(f"{x!r:>6} {str(x):<6}|")
print(f"{'quote'!r}")
name = "x"
print(f"{name=}")
