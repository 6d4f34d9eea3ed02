text = """the quick brown fox jumps over the lazy dog the fox
barks and the dog sleeps while the quick fox runs"""
counts = {}
for word in text.split():
    counts[word] = counts.get(word, 0) + 1
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
for word, n in top[:5]:
    print(f"{word:>6}: {n}")
print("distinct:", len(counts))
