def chunks(seq, size):
    return [seq[i:i + size] for i in range(0, len(seq), size)]
items = list("abcdefghijk")
for c in chunks(items, 4):
    print("".join(c))
print(chunks([], 3), chunks([1, 2], 5))
