class Account:
    interest = 0.02
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        return self.balance
    def withdraw(self, amount):
        if amount > self.balance:
            raise ValueError("insufficient funds")
        self.balance -= amount
        return self.balance
    def __repr__(self):
        return f"Account({self.owner!r}, {self.balance})"
acct = Account("alice", 100)
acct.deposit(50)
acct.withdraw(30)
print(acct)
try:
    acct.withdraw(1000)
except ValueError as e:
    print("error:", e)
print(Account.interest, acct.interest)
