def load_user(uid):
    db = {1: {"name": "ann", "manager": 2}, 2: {"name": "bob", "manager": 3}}
    return db[uid]
def chain_of_command(uid):
    names = []
    while True:
        u = load_user(uid)
        names.append(u["name"])
        print("visited", u["name"])
        uid = u["manager"]
chain_of_command(1)
