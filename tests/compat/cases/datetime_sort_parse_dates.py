from datetime import datetime

events = ["2024-03-10 fire drill", "2023-12-01 launch", "2024-01-15 review"]
parsed = []
for e in events:
    ds, label = e.split(" ", 1)
    parsed.append((datetime.strptime(ds, "%Y-%m-%d"), label))
parsed.sort()
for when, label in parsed:
    print(when.date(), label)
