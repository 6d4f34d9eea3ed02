import re
from dataclasses import dataclass
from typing import List, Optional

@dataclass
class Record:
    email: str
    age: Optional[int]
    country: str

RAW = [
    "alice@example.com,34,US",
    "bob_at_example.com,29,UK",
    "carol@example.org,,DE",
    "dave@example.net,-3,FR",
]

EMAIL = re.compile(r"^[\w.]+@[\w]+\.[a-z]{2,}$")

def parse(line: str) -> Record:
    email, age, country = line.split(",")
    return Record(email, int(age) if age else None, country)

def problems(r: Record) -> List[str]:
    errs = []
    if not EMAIL.match(r.email):
        errs.append("bad email")
    if r.age is not None and not 0 <= r.age <= 130:
        errs.append("bad age")
    return errs

for rec in map(parse, RAW):
    errs = problems(rec)
    status = "OK" if not errs else "; ".join(errs)
    print(f"{rec.email:<22} {str(rec.age):>4} {rec.country}  {status}")
