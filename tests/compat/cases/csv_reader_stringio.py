import csv
import io

data = """name,age,city
Alice,30,NYC
Bob,25,"San Francisco, CA"
"""
reader = csv.reader(io.StringIO(data))
header = next(reader)
print(header)
for row in reader:
    print(row)
