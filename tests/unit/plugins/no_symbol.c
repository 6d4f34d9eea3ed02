/* A shared object that is not an airlock plugin: it exports neither symbol. */
int not_a_plugin(void);
int not_a_plugin(void) { return 42; }
