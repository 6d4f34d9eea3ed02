counter = 0
config = {"verbose": False}
def bump(n=1):
    global counter
    counter += n
    if config["verbose"]:
        print("counter now", counter)
bump()
bump(5)
config["verbose"] = True
bump(10)
print("final", counter)
