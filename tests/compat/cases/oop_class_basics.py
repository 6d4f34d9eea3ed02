class Account:
    interest = 0.02

    def __init__(self, owner: str, balance: float = 0.0):
        self.owner = owner
        self.balance = balance

    def deposit(self, amt: float) -> None:
        if amt <= 0:
            raise ValueError("amount must be positive")
        self.balance += amt

    def __repr__(self):
        return f"Account({self.owner!r}, {self.balance:.2f})"

    def __str__(self):
        return f"{self.owner}: ${self.balance:,.2f}"

a = Account("ann", 1000)
a.deposit(2500.5)
print(a)
print(repr(a))
print([a])
