from datetime import datetime, date

d = datetime(2024, 3, 9, 14, 5, 7)
print(d.strftime("%Y-%m-%d %H:%M:%S"))
print(d.strftime("%d/%m/%y %I:%M %p"))
print(d.strftime("%A %B %j"))
print(date(2024, 12, 25).strftime("%a %b %d"))
