from datetime import date, timedelta

start = date(2024, 1, 31)
print(start + timedelta(days=30))
print(start - timedelta(weeks=2))
delta = date(2024, 12, 25) - start
print(delta.days, delta)
print(timedelta(hours=36, minutes=5))
print(timedelta(seconds=3725).total_seconds())
