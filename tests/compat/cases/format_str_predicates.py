for w in ["abc123", "ABC", "123", "  ", "Title Case", "x_1"]:
    print(w, w.isalnum(), w.isupper(), w.isdigit(), w.isspace(), w.istitle(), w.isidentifier())
