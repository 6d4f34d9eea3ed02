from collections import Counter

text = "Mississippi river"
freq = Counter(ch for ch in text.lower() if ch.isalpha())
for ch, n in freq.most_common(3):
    print(ch, n)
print(freq.total())
print(list(Counter("abracadabra").elements())[:5])
