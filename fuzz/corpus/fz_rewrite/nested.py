f'''{f'{x[1:2:3]:,}'}'''
match x:
    case 1:
        pass
