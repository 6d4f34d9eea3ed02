# __future__ for airlock: every feature name is importable and has no effect.
all_feature_names = ['nested_scopes', 'generators', 'division', 'absolute_import',
                     'with_statement', 'print_function', 'unicode_literals',
                     'barry_as_FLUFL', 'generator_stop', 'annotations']
for _n in all_feature_names:
    globals()[_n] = True
del _n
