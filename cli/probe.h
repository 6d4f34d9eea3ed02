/*
 * probe.h - `airlock probe [grant options]`: the five-test protocol, run
 * in-process against the configuration given.
 */
#ifndef AIRLOCK_CLI_PROBE_H
#define AIRLOCK_CLI_PROBE_H

/* argv[0] is "probe". Returns 0 when every expectation held, 1 when one
 * did not, 2 on a usage error. */
int probe_main(int argc, char **argv);

#endif
