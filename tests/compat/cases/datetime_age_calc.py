from datetime import date

def age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

print(age(date(1990, 6, 15), date(2024, 6, 14)))
print(age(date(1990, 6, 15), date(2024, 6, 15)))
print(date(2024, 2, 29) > date(2024, 2, 28))
