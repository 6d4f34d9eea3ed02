import textwrap

para = "The quick brown fox jumps over the lazy dog. " * 3
for line in textwrap.wrap(para, width=30):
    print(line)
print(textwrap.fill("a b c d e f g", width=5))
