import re
email = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
for addr in ["a.b@example.com", "bad@", "x+y@sub.domain.org", "@no.com", "plain"]:
    print(addr, bool(email.match(addr)))
ident = re.compile("^[A-Za-z_][A-Za-z0-9_]*$")
print([w for w in ["foo", "1bar", "_ok", "a-b", "Z9"] if ident.match(w)])
m = re.match(r"(?:v)?(\d+)\.(\d+)(?:\.(\d+))?", "v1.27")
print(m.groups() if hasattr(m, "groups") else (m.group(1), m.group(2)))
