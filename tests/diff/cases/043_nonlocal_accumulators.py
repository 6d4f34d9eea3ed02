def make_bank():
    balance = 0
    history = []
    def deposit(x):
        nonlocal balance
        balance += x
        history.append(("dep", x))
    def withdraw(x):
        nonlocal balance
        if x > balance:
            history.append(("denied", x))
            return False
        balance -= x
        history.append(("wd", x))
        return True
    def report():
        return balance, list(history)
    return deposit, withdraw, report
dep, wd, rep = make_bank()
dep(100)
wd(30)
wd(500)
dep(5)
print(rep())
