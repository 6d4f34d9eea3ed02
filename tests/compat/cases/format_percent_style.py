name, score = "Ann", 93.456
print("%s scored %.1f" % (name, score))
print("%-8s|%8s|" % ("left", "right"))
print("%05.1f %d%%" % (score, 50))
print("%(a)s-%(b)s" % {"a": 1, "b": 2})
