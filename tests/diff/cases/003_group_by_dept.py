employees = [
    {"name": "Ada", "dept": "eng", "salary": 120},
    {"name": "Bob", "dept": "ops", "salary": 90},
    {"name": "Cy", "dept": "eng", "salary": 110},
    {"name": "Di", "dept": "sales", "salary": 70},
    {"name": "Ed", "dept": "ops", "salary": 95},
    {"name": "Flo", "dept": "eng", "salary": 130},
]
by_dept = {}
for e in employees:
    by_dept.setdefault(e["dept"], []).append(e)
for dept in sorted(by_dept):
    people = by_dept[dept]
    total = sum(p["salary"] for p in people)
    avg = total / len(people)
    names = ", ".join(sorted(p["name"] for p in people))
    print(f"{dept:<6} n={len(people)} total={total} avg={avg:.1f} [{names}]")
richest = max(employees, key=lambda e: e["salary"])
print("richest:", richest["name"])
