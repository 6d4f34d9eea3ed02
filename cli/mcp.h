/*
 * mcp.h - `airlock mcp`: a Model Context Protocol server on stdio.
 */
#ifndef AIRLOCK_CLI_MCP_H
#define AIRLOCK_CLI_MCP_H

/*
 * Run the server. argv[0] is "mcp"; the rest are the usual limit (and grant)
 * options plus --max-sessions and --session-idle. Returns the process exit
 * status: 0 when stdin reaches end of file, 2 for a usage error.
 */
int mcp_main(int argc, char **argv);

#endif
