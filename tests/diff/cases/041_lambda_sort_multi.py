people = [("zoe", 31, "nyc"), ("adam", 25, "sf"), ("mia", 31, "la"),
          ("liam", 19, "nyc"), ("eve", 25, "la"), ("bob", 44, "sf")]
print(sorted(people, key=lambda p: p[1]))
print(sorted(people, key=lambda p: (-p[1], p[0])))
print(sorted(people, key=lambda p: (p[2], p[0]), reverse=True))
by_len = sorted((p[0] for p in people), key=len)
print(by_len)
