# str and bytes search and count (find, rfind, index, rindex, in, count,
# replace, split, partition) on generated texts, ASCII and not: each answer
# printed, and checked against a search written out position by position.


class Lcg:
    """The same numbers under every Python (random's differ between them)."""

    def __init__(self, seed):
        self.x = seed

    def randrange(self, a, b=None):
        if b is None:
            a, b = 0, a
        self.x = (self.x * 1103515245 + 12345) % 2147483648
        return a + (self.x >> 8) % (b - a)

    def choice(self, seq):
        return seq[self.randrange(len(seq))]


rng = Lcg(7)


def naive_find(s, sub, start, end):
    for i in range(start, end - len(sub) + 1):
        if s[i:i + len(sub)] == sub:
            return i
    return -1


def naive_rfind(s, sub, start, end):
    for i in range(end - len(sub), start - 1, -1):
        if s[i:i + len(sub)] == sub:
            return i
    return -1


def naive_count(s, sub):
    n = i = 0
    while i + len(sub) <= len(s):
        if s[i:i + len(sub)] == sub:
            n += 1
            i += len(sub) if sub else 1
        else:
            i += 1
    return n


alphabets = ["ab", "abc", "aé€b", "0123456789"]
mismatches = 0
answers = []
for trial in range(300):
    letters = alphabets[trial % len(alphabets)]
    s = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 60)))
    sub = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 5)))
    start = rng.randrange(0, len(s) + 1)
    end = rng.randrange(start, len(s) + 1)
    got = (s.find(sub, start, end), s.rfind(sub, start, end), s.count(sub) if sub else -1, sub in s)
    want = (naive_find(s, sub, start, end), naive_rfind(s, sub, start, end), naive_count(s, sub) if sub else -1,
            naive_find(s, sub, 0, len(s)) >= 0)
    if got != want:
        mismatches += 1
        print("str mismatch", repr(s), repr(sub), start, end, got, want)
    b, bsub = s.encode(), sub.encode()
    bgot = (b.find(bsub), b.rfind(bsub), b.count(bsub) if bsub else -1, bsub in b)
    bwant = (naive_find(b, bsub, 0, len(b)), naive_rfind(b, bsub, 0, len(b)), naive_count(b, bsub) if bsub else -1,
             naive_find(b, bsub, 0, len(b)) >= 0)
    if bgot != bwant:
        mismatches += 1
        print("bytes mismatch", repr(b), repr(bsub), bgot, bwant)
    answers.append(got)
print("mismatches", mismatches)
print(answers[:20])

# A long text: a late match, a miss over all of it, counts of pairs.
big = "".join("%09d\n" % i for i in range(20000))
print(big.find("000019999"), big.rfind("00000"), "needle" in big, big.count("77"), big.count("\n"))
print(big.index("12345"), big.rindex("12345"))
# Multi-byte text: counts and finds land on characters, not bytes.
euro = "€a" * 1000 + "é" * 10
print(euro.count("€"), euro.count("a€"), euro.find("é"), euro.rfind("€a"), len(euro.replace("€", "e")))
print([p.encode() for p in "x,€,y,,z".split(",")], "k=v=w".partition("="), "k=v=w".rpartition("="))
print(b"\xe2\x82\xac\xe2\x82\xac".count(b"\x82"), b"abcabc".rfind(b"c"), b"abc".find(b""), b"abc".rfind(b""))
print("abc".find(""), "abc".rfind(""), "abc".count(""), "".count(""), "abc".find("c", 5))
