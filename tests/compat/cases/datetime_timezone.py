from datetime import datetime, timezone, timedelta

utc = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
print(utc.isoformat())
est = utc.astimezone(timezone(timedelta(hours=-5)))
print(est.isoformat())
print(est.utcoffset())
