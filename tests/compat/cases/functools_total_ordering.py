from functools import total_ordering

@total_ordering
class Money:
    def __init__(self, cents):
        self.cents = cents
    def __eq__(self, other):
        return self.cents == other.cents
    def __lt__(self, other):
        return self.cents < other.cents

a, b = Money(100), Money(250)
print(a < b, a <= b, a > b, a >= b, a == Money(100))
