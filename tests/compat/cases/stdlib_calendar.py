import calendar

print(calendar.isleap(2024), calendar.isleap(1900))
print(calendar.monthrange(2024, 2))
print(calendar.month_name[3], calendar.day_name[0])
print(calendar.leapdays(2000, 2025))
