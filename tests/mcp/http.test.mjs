// Drives `airlock serve`'s MCP endpoint with the official TypeScript SDK's
// Streamable HTTP client transport (SDK 1.x), as an agent reaching a remote
// server would. tests/serve/serve_test.py starts the server and passes
// AIRLOCK_MCP_URL and AIRLOCK_MCP_TOKEN (a tenant's bearer token).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const URL_ = new URL(process.env.AIRLOCK_MCP_URL ?? 'http://127.0.0.1:8470/mcp');
const TOKEN = process.env.AIRLOCK_MCP_TOKEN ?? '';

function connectWith(token) {
  const client = new Client({ name: 'airlock-http-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(URL_, {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  return client.connect(transport).then(() => ({ client, transport }));
}

describe('airlock serve over MCP Streamable HTTP', () => {
  let client, transport;
  before(async () => ({ client, transport } = await connectWith(TOKEN)));
  after(async () => client && (await client.close()));

  it('initialize gave a session id', () => {
    assert.match(transport.sessionId ?? '', /^[0-9a-f]{32}$/);
  });

  it('lists the two tools', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['reset_session', 'run_python']);
    const run = tools.find((t) => t.name === 'run_python');
    assert.match(run.description, /kept by the server/);
  });

  it('runs code', async () => {
    const r = await client.callTool({ name: 'run_python', arguments: { code: 'print(6 * 7)' } });
    assert.equal(r.isError, false);
    assert.equal(r.structuredContent.stdout, '42\n');
  });

  it('keeps a session in the store, and forgets it', async () => {
    await client.callTool({ name: 'run_python', arguments: { code: 'x = 41', session: 'mcp-http' } });
    let r = await client.callTool({ name: 'run_python', arguments: { code: 'x + 1', session: 'mcp-http' } });
    assert.equal(r.structuredContent.result, '42');
    r = await client.callTool({ name: 'reset_session', arguments: { session: 'mcp-http' } });
    assert.equal(r.structuredContent.existed, true);
    r = await client.callTool({ name: 'run_python', arguments: { code: 'x', session: 'mcp-http' } });
    assert.equal(r.isError, true);
    assert.equal(r.structuredContent.error.type, 'NameError');
  });

  it('contains the code: no host files', async () => {
    const r = await client.callTool({ name: 'run_python', arguments: { code: "open('/etc/passwd').read()" } });
    assert.equal(r.isError, true);
    assert.equal(r.structuredContent.error.type, 'OSError');
  });

  it('refuses a wrong token', async () => {
    await assert.rejects(connectWith('not-a-token'));
  });
});
