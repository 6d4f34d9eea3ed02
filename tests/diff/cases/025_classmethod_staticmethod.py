class Date:
    def __init__(self, y, m, d):
        self.y, self.m, self.d = y, m, d
    @classmethod
    def from_string(cls, s):
        y, m, d = (int(p) for p in s.split("-"))
        return cls(y, m, d)
    @staticmethod
    def is_leap(y):
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    def __str__(self):
        return "%04d/%02d/%02d" % (self.y, self.m, self.d)
d = Date.from_string("2024-02-29")
print(d, Date.is_leap(d.y), Date.is_leap(1900), Date.is_leap(2000))
class SubDate(Date):
    pass
print(type(SubDate.from_string("1999-12-31")).__name__)
