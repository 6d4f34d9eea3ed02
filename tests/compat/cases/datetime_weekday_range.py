from datetime import date, timedelta

d = date(2024, 5, 1)
days = [d + timedelta(days=i) for i in range(7)]
for x in days:
    print(x.isoformat(), x.weekday(), x.isoweekday())
print(d.replace(day=15), d.toordinal())
