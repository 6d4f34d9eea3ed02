import re
from collections import Counter

text = """It was the best of times, it was the worst of times, it was the age of
wisdom, it was the age of foolishness"""
words = re.findall(r"[a-z']+", text.lower())
counts = Counter(words)
for word, n in counts.most_common(4):
    print(f"{word:<8}{n:>3}")
print(len(words), len(counts))
