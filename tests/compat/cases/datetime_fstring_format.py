from datetime import datetime

d = datetime(2021, 1, 5, 7, 8)
print(f"{d:%Y/%m/%d}")
print(f"Report for {d:%B %d, %Y} at {d:%H:%M}")
print("{:%Y}".format(d))
