// Drives `airlock mcp` with the official MCP TypeScript SDK clients over
// stdio, the way agents use it:
//
//   sdk1            @modelcontextprotocol/sdk 1.x Client (initialize handshake)
//   client2-legacy  @modelcontextprotocol/client 2.x, default (legacy) mode
//   client2-modern  the 2.x client pinned to protocol 2026-07-28
//                   (server/discover, per-request _meta, no handshake)
//   client2-auto    the 2.x client probing with server/discover first
//
// Every flavour runs the same checks. The server binary comes from
// AIRLOCK_BIN (run.sh sets it).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';

// AIRLOCK_MCP_CLIENTS=sdk1 or =client2 runs one SDK generation only (run.sh
// runs the 2.x client under a newer Node.js than the system's when it must).
const only = process.env.AIRLOCK_MCP_CLIENTS;
const selected = (name) => !only || name.startsWith(only);

// The 2.x client needs Node.js 20; on an older one only the 1.x SDK runs.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const { Client: Client2 } = nodeMajor >= 20 ? await import('@modelcontextprotocol/client') : {};
const { StdioClientTransport: Stdio2 } = nodeMajor >= 20 ? await import('@modelcontextprotocol/client/stdio') : {};

const here = path.dirname(fileURLToPath(import.meta.url));
const AIRLOCK = process.env.AIRLOCK_BIN ?? path.resolve(here, '../../build/airlock');
const SERVER_ARGS = ['mcp', '--timeout', '1', '--max-sessions', '4'];

const flavours = {
  sdk1: {
    make: () => new Client1({ name: 'airlock-test-sdk1', version: '1.0.0' }),
    transport: (params) => new Stdio1(params),
    version: '2025-11-25',
  },
  'client2-legacy': {
    make: () => new Client2({ name: 'airlock-test-client2', version: '2.0.0' }),
    transport: (params) => new Stdio2(params),
    version: '2025-11-25',
  },
  'client2-modern': {
    make: () =>
      new Client2(
        { name: 'airlock-test-client2', version: '2.0.0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      ),
    transport: (params) => new Stdio2(params),
    version: '2026-07-28',
  },
  'client2-auto': {
    make: () =>
      new Client2({ name: 'airlock-test-client2', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } }),
    transport: (params) => new Stdio2(params),
    version: '2026-07-28',
  },
};

// The CLI's --json object for the same code: structuredContent must match it.
function cliJson(code) {
  try {
    return JSON.parse(execFileSync(AIRLOCK, ['--json', '--timeout', '1', '-c', code], { encoding: 'utf8' }));
  } catch (e) {
    // Non-zero exit (exception, limit) still prints the object.
    return JSON.parse(e.stdout);
  }
}

function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('');
}

assert.ok(existsSync(AIRLOCK), `no airlock binary at ${AIRLOCK}; build it or pass its path to run.sh`);


for (const [name, flavour] of Object.entries(flavours)) {
  if (!selected(name)) continue;
  const skip = name.startsWith('client2') && nodeMajor < 20 ? 'needs Node.js 20 or newer' : false;
  describe(`airlock mcp with ${name}`, { skip }, () => {
    let client;
    let stderr = '';

    before(async () => {
      client = flavour.make();
      const transport = flavour.transport({ command: AIRLOCK, args: SERVER_ARGS, stderr: 'pipe' });
      transport.stderr?.on('data', (chunk) => (stderr += chunk));
      await client.connect(transport);
    });

    after(async () => {
      await client?.close();
      if (process.env.AIRLOCK_MCP_VERBOSE) process.stderr.write(stderr);
    });

    const run = (args) => client.callTool({ name: 'run_python', arguments: args });

    it('initializes: server identity, tools capability, protocol version', () => {
      const info = client.getServerVersion();
      assert.equal(info.name, 'airlock');
      assert.ok(client.getServerCapabilities().tools, 'tools capability');
      if (client.getNegotiatedProtocolVersion) assert.equal(client.getNegotiatedProtocolVersion(), flavour.version);
    });

    it('lists run_python and reset_session with their schemas', async () => {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), ['run_python', 'reset_session']);
      const runTool = tools[0];
      assert.equal(runTool.inputSchema.properties.code.type, 'string');
      assert.equal(runTool.inputSchema.properties.session.type, 'string');
      assert.deepEqual(runTool.inputSchema.required, ['code']);
      assert.match(runTool.description, /MicroPython 1\.27/);
      assert.match(runTool.description, /no network/);
      assert.match(runTool.description, /1 s of wall-clock time/);
      assert.match(runTool.description, /At most 4 sessions/);
      assert.match(runTool.description, /Granted: nothing/);
      assert.deepEqual(tools[1].inputSchema.required, ['session']);
    });

    it('runs code: stdout and result as text and as the CLI --json object', async () => {
      const code = 'print("hello from", "airlock")\n6 * 7';
      const res = await run({ code });
      assert.equal(res.isError, false);
      assert.match(text(res), /hello from airlock/);
      assert.match(text(res), /result: 42/);
      const sc = res.structuredContent;
      assert.equal(sc.ok, true);
      assert.equal(sc.stdout, 'hello from airlock\n');
      assert.equal(sc.result, '42');
      assert.equal(sc.error, null);
      assert.equal(sc.limit, null);
      const cli = cliJson(code);
      const { stats: s1, ...rest1 } = sc;
      const { stats: s2, ...rest2 } = cli;
      assert.deepEqual(rest1, rest2);
      assert.deepEqual(Object.keys(s1).sort(), Object.keys(s2).sort());
    });

    it('keeps state within a session and not across sessions', async () => {
      let res = await run({ code: 'counter = 10\ndef bump():\n    global counter\n    counter += 1\n    return counter', session: 'alpha' });
      assert.equal(res.isError, false, text(res));
      res = await run({ code: 'bump()\nbump()', session: 'alpha' });
      assert.equal(res.structuredContent.result, '12');
      // another session does not see it
      res = await run({ code: 'counter', session: 'beta' });
      assert.equal(res.isError, true);
      assert.equal(res.structuredContent.error.type, 'NameError');
      // neither does a call without a session
      res = await run({ code: 'counter' });
      assert.equal(res.structuredContent.error.type, 'NameError');
      // and alpha still has it
      res = await run({ code: 'counter', session: 'alpha' });
      assert.equal(res.structuredContent.result, '12');
    });

    it('reset_session forgets a session', async () => {
      await run({ code: 'y = 1', session: 'gamma' });
      const reset = await client.callTool({ name: 'reset_session', arguments: { session: 'gamma' } });
      assert.equal(reset.isError, false);
      assert.match(text(reset), /forgotten/);
      const res = await run({ code: 'y', session: 'gamma' });
      assert.equal(res.structuredContent.error.type, 'NameError');
    });

    it('reports an uncaught exception with its traceback and isError', async () => {
      const res = await run({ code: 'def f(x):\n    return 1 / x\nf(0)' });
      assert.equal(res.isError, true);
      const sc = res.structuredContent;
      assert.equal(sc.ok, false);
      assert.equal(sc.error.type, 'ZeroDivisionError');
      assert.match(sc.error.traceback, /Traceback \(most recent call last\)/);
      assert.match(text(res), /ZeroDivisionError/);
      assert.match(text(res), /line 2, in f/);
    });

    it('stops a runaway loop at the timeout and keeps the session usable', async () => {
      await run({ code: 'kept = "still here"', session: 'loop' });
      const t0 = Date.now();
      const res = await run({ code: 'while True:\n    pass', session: 'loop' });
      assert.ok(Date.now() - t0 < 10000, 'the timeout took too long');
      assert.equal(res.isError, true);
      assert.equal(res.structuredContent.limit, 'timeout');
      assert.match(text(res), /limit: timeout/);
      const after = await run({ code: 'kept', session: 'loop' });
      assert.equal(after.isError, false);
      assert.equal(after.structuredContent.result, "'still here'");
    });

    it('denies reading a host file', async () => {
      const res = await run({ code: 'open("/etc/passwd").read()' });
      assert.equal(res.isError, true);
      assert.equal(res.structuredContent.error.type, 'OSError');
      assert.doesNotMatch(JSON.stringify(res), /root:x:0:0/);
    });

    it('answers bad arguments with a protocol error, not a crash', async () => {
      await assert.rejects(client.callTool({ name: 'run_python', arguments: { code: 42 } }), /-32602|must be a string/);
      await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), /-32602|unknown tool/i);
      // and the server is still there
      const res = await run({ code: '1 + 1' });
      assert.equal(res.structuredContent.result, '2');
    });
  });
}

// The SDK cancels a request whose own timeout fires (notifications/cancelled):
// the run must stop then, not at the server's much later limit.
if (selected('sdk1')) describe('airlock mcp: a cancelled call stops its run (sdk1)', () => {
  let client;
  before(async () => {
    client = new Client1({ name: 'airlock-test-cancel', version: '1.0.0' });
    await client.connect(new Stdio1({ command: AIRLOCK, args: ['mcp', '--timeout', '60'], stderr: 'ignore' }));
  });
  after(async () => client?.close());

  it('stops a runaway loop when the client gives up on it', async () => {
    const t0 = Date.now();
    await assert.rejects(
      client.callTool({ name: 'run_python', arguments: { code: 'while True:\n    pass' } }, undefined, { timeout: 300 }),
      /timed out|timeout/i,
    );
    const res = await client.callTool({ name: 'run_python', arguments: { code: '1 + 1' } });
    assert.equal(res.structuredContent.result, '2');
    assert.ok(Date.now() - t0 < 10000, `the cancelled run went on for ${Date.now() - t0} ms`);
  });
});

// The SDK's onprogress sends a progressToken: output arrives as progress
// notifications while the code runs, and none come without one.
if (selected('sdk1')) describe('airlock mcp: progress notifications (sdk1)', () => {
  let client;
  before(async () => {
    client = new Client1({ name: 'airlock-test-progress', version: '1.0.0' });
    await client.connect(new Stdio1({ command: AIRLOCK, args: ['mcp', '--timeout', '30'], stderr: 'ignore' }));
  });
  after(async () => client?.close());

  it('streams the output of a long run as progress', async () => {
    const seen = [];
    const code = 'import time\nfor i in range(3):\n    print("step", i)\n    time.sleep(0.3)\n';
    const res = await client.callTool({ name: 'run_python', arguments: { code } }, undefined,
      { onprogress: (p) => seen.push({ ...p, at: Date.now() }) });
    const done = Date.now();
    assert.equal(res.structuredContent.stdout, 'step 0\nstep 1\nstep 2\n');
    assert.ok(seen.length >= 2, `only ${seen.length} progress notifications`);
    assert.equal(seen.map((p) => p.message).join(''), 'step 0\nstep 1\nstep 2\n');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].progress > seen[i - 1].progress);
    assert.ok(done - seen[0].at > 300, 'the first step came only at the end');
  });
});
