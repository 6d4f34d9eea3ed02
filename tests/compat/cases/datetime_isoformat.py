from datetime import datetime, date, time

dt = datetime(2023, 7, 4, 9, 30)
print(dt.isoformat())
print(date.fromisoformat("2023-07-04"))
print(datetime.fromisoformat("2023-07-04T09:30:00") == dt)
print(time(8, 15).isoformat())
print(dt.date(), dt.time())
