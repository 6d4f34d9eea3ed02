row = "{0:<8}|{1:>6}|{2:^7}|"
print(row.format("name", "qty", "ok"))
for n, q, ok in [("apple", 3, True), ("kiwi", 12, False)]:
    print(row.format(n, q, str(ok)))
print("{name} is {age} years".format(name="Ann", age=31))
print("{:.3f} {:+.1e} {:,}".format(3.14159, 12345.678, 9876543210))
print("%s has %d items costing %.2f (%5.1f%%)" % ("cart", 4, 19.999, 12.34))
print("%-6s|%6s|%06.2f|%x" % ("ab", "cd", 3.14159, 255))
