users = {"alice": {"role": "admin"}, "bob": {"role": "dev"}}
for name in ["alice", "bob", "carol"]:
    print(name, users[name]["role"])
