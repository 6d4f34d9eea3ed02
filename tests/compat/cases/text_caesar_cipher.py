def caesar(s: str, k: int) -> str:
    out = []
    for ch in s:
        if ch.isalpha():
            base = ord("A") if ch.isupper() else ord("a")
            out.append(chr((ord(ch) - base + k) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)

enc = caesar("Hello, World!", 3)
print(enc)
print(caesar(enc, -3))
