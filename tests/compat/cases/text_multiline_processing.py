doc = """Name: Alice
Email: alice@example.com
Role: admin

Name: Bob
Email: bob@example.com
Role: user
"""
records = []
for block in doc.strip().split("\n\n"):
    rec = {}
    for line in block.splitlines():
        k, _, v = line.partition(": ")
        rec[k.lower()] = v
    records.append(rec)
for r in records:
    print(r["name"], r["role"], r["email"].split("@")[1])
