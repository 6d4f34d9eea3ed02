# Invalid patterns raise re.error (with msg, pattern and pos), never
# anything else, and a handler written for re.error catches them.
import re

patterns = ["(", ")", "a)", "[a", "[z-a]", "*a", "a**", "+", "?", "a{2,1}",
            "(?P<n>a)(?P<n>b)", "(?P<1>a)", "(?P=missing)", "\\", "a\\",
            "(?<=a+)b", "(?Zx)", "x{1,2}{3}", "(?P<a", "[]", "\\1",
            "(a)\\2", "a||(", "((a)", "a)(", "(?#unterminated",
            "(?P=n", "(?P<>a)", "(?P<a-b>x)", "(?P", "a{1,2", "[\\d-z]", "(?i", "\\x4"]
for p in patterns:
    try:
        re.compile(p)
        print(repr(p), "compiled")
    except re.error as e:
        print(repr(p), "re.error", type(e.msg).__name__, e.pattern == p,
              isinstance(e.pos, int))

try:
    re.search("(", "abc")
except re.error as e:
    print("search:", type(e).__name__, isinstance(e, Exception))

# an unhandled one ends the program with re.error
re.sub("[", "", "x")
