items = [1, 2, "3", 4]
total = 0
for it in items:
    total += it
    print("running", total)
