def rle_encode(s):
    if not s:
        return ""
    out = []
    prev, n = s[0], 1
    for ch in s[1:]:
        if ch == prev:
            n += 1
        else:
            out.append("%d%s" % (n, prev))
            prev, n = ch, 1
    out.append("%d%s" % (n, prev))
    return "".join(out)
def rle_decode(s):
    out, num = [], ""
    for ch in s:
        if ch.isdigit():
            num += ch
        else:
            out.append(ch * int(num))
            num = ""
    return "".join(out)
for s in ["aaabccddddd", "abc", "", "zzzzzzzzzzzz"]:
    e = rle_encode(s)
    print(repr(s), e, rle_decode(e) == s)
