n = 1234567
print(f"{n:,}")
print(f"{n:_}")
print(f"{1234567.891:,.2f}")
print("{:,}".format(98765432))
print(format(n, ","))
