# dict() of the mapping types agents pass around, and re.error for bad patterns
import csv, io, re
from collections import defaultdict, Counter, OrderedDict
d = defaultdict(list)
d["a"].append(1)
for m in (d, Counter("abracadabra"), OrderedDict([("z", 1), ("a", 2)])):
    print(type(dict(m)).__name__, sorted(dict(m).items()))
e = {}
e.update(Counter("xyx"))
print(sorted(e.items()))
for row in csv.DictReader(io.StringIO("a,b\n1,2\n3,4\n")):
    print(sorted(dict(row).items()))
for pat in ("(", ")", "[a", "a**", "(?P<x>a)(?P<x>b)"):
    try:
        re.compile(pat)
        print("compiled", pat)
    except re.error as ex:
        print("re.error", pat)
