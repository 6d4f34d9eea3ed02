codes = {"us": "United States", "fr": "France", "de": "Germany", "jp": "Japan"}
inverted = {v: k for k, v in codes.items()}
for name in sorted(inverted):
    print(name, "->", inverted[name].upper())
lengths = {k: len(v) for k, v in codes.items() if len(v) > 5}
print(sorted(lengths.items()))
