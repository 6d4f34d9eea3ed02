from datetime import datetime

d = datetime.strptime("2024-02-29 08:30", "%Y-%m-%d %H:%M")
print(d, d.year, d.weekday())
e = datetime.strptime("03/15/2023", "%m/%d/%Y")
print((d - e).days)
