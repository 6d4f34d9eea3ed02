import re
import textwrap
from collections import Counter

TEXT = """Python is a programming language that lets you work quickly and
integrate systems more effectively. Python is powerful, and fast; plays
well with others; runs everywhere; is friendly and easy to learn."""

words = re.findall(r"[A-Za-z]+", TEXT)
lower = [w.lower() for w in words]
c = Counter(lower)
print(f"words={len(words)} unique={len(c)}")
print("top:", ", ".join(f"{w}({n})" for w, n in c.most_common(3)))
longest = sorted(set(lower), key=lambda w: (-len(w), w))[:3]
print("longest:", longest)
sentences = [s.strip() for s in re.split(r"[.;]", TEXT) if s.strip()]
print(len(sentences), "sentences")
print(textwrap.fill(" ".join(TEXT.split()), width=40))
