from datetime import date, timedelta
from statistics import mean

start = date(2024, 1, 1)
temps = [3.1, 4.5, 2.2, -1.0, 0.5, 5.8, 7.2, 6.1, 4.4, 2.0]
series = [(start + timedelta(days=i), t) for i, t in enumerate(temps)]
window = 3
for i in range(window - 1, len(series)):
    d, t = series[i]
    avg = mean(x for _, x in series[i - window + 1:i + 1])
    flag = "*" if t < 0 else ""
    print(f"{d:%a %d %b} {t:5.1f} {avg:6.2f}{flag}")
coldest = min(series, key=lambda p: p[1])
print("coldest:", coldest[0].isoformat(), coldest[1])
