s = "naïve café — ☕ 日本語"
print(len(s), s.upper())
print(s[6:10], s[-3:], s.split(" "))
b = s.encode("utf-8")
print(len(b), b[:8])
print(b.decode("utf-8") == s)
print([ord(c) for c in "é☕"], chr(0x1F600) == "\U0001F600", "\u00e9" == "é")
