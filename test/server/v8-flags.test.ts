// The V8 flags of server/v8-flags.ts are how the server is meant to run: every
// way this project starts it in production passes them. (Workers forked by
// --workers inherit them: node:cluster forks with the primary's execArgv.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serverCommand } from '../../bench/servers.ts';
import { missingV8Flags, V8_FLAGS } from '../../server/v8-flags.ts';
import { serverProcesses } from '../support/servers.ts';
import { PROJECT_ROOT } from '../support/spawn-server.ts';

/** The words before the entry point in a command line: node's own flags. */
function nodeFlagsOf(command: string, entry: string): string[] {
  const words = command.trim().split(/\s+/);
  const at = words.findIndex((word) => word.endsWith(entry));
  assert.ok(at > 0, `${entry} not found in: ${command}`);
  return words.slice(1, at);
}

describe('V8 flags', () => {
  it('npm start passes them', () => {
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.deepEqual(nodeFlagsOf(scripts.start!, 'dist/server/main.js'), [...V8_FLAGS]);
  });

  for (const unit of ['ws-echo.service', 'ws-echo@.service']) {
    it(`deploy/${unit} passes them`, () => {
      const execStart = /^ExecStart=(.*)$/m.exec(readFileSync(join(PROJECT_ROOT, 'deploy', unit), 'utf8'))?.[1];
      assert.ok(execStart, `no ExecStart= in ${unit}`);
      assert.deepEqual(nodeFlagsOf(execStart, 'dist/server/main.js'), [...V8_FLAGS]);
    });
  }

  it("the container image's CMD passes them, in exec form so node is PID 1", () => {
    const cmd = /^CMD\s+(.*)$/m.exec(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'))?.[1];
    assert.ok(cmd, 'no CMD in the Dockerfile');
    assert.match(cmd, /^\[.*\]\s*$/, `CMD is not in exec form: ${cmd}`);
    const argv = JSON.parse(cmd) as string[];
    assert.equal(argv[0], 'node');
    assert.deepEqual(nodeFlagsOf(argv.join(' '), 'dist/server/main.js'), [...V8_FLAGS]);
  });

  it('the benchmark runs the project with them', () => {
    const command = serverCommand('project', 1234, undefined);
    assert.deepEqual(command.slice(1, command.indexOf('dist/server/main.js')), [...V8_FLAGS]);
  });
});

describe('a server started without the V8 flags', () => {
  const start = serverProcesses();

  /** The warning lines a production server printed before it listened. */
  async function warningsWith(
    nodeFlags: readonly string[],
    env: Record<string, string> = {},
  ): Promise<Array<{ msg: string; missing?: string[] }>> {
    const server = await start({ nodeFlags, env: { NODE_OPTIONS: '', ...env } });
    return server.output
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; missing?: string[] })
      .filter((entry) => entry.level === 40);
  }

  it('still serves, and says once which flags it lacks and how to start it', async () => {
    const warnings = await warningsWith([]);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.deepEqual(warnings[0]!.missing, [...V8_FLAGS]);
    assert.match(warnings[0]!.msg, /npm start/);
    assert.ok(warnings[0]!.msg.includes(`node ${V8_FLAGS.join(' ')} dist/server/main.js`), warnings[0]!.msg);
  });

  it('says nothing when they come through NODE_OPTIONS or as npm start passes them', async () => {
    assert.deepEqual(await warningsWith([], { NODE_OPTIONS: V8_FLAGS.join(' ') }), []);
    assert.deepEqual(await warningsWith(V8_FLAGS), []);
  });

  it("takes any value and node's spellings as the operator's choice", () => {
    assert.deepEqual(missingV8Flags(['--max-semi-space-size=8'], ''), []);
    assert.deepEqual(missingV8Flags(['--max_semi_space_size=2'], ''), []);
    assert.deepEqual(missingV8Flags([], '--inspect --max-semi-space-size=1'), []);
    assert.deepEqual(missingV8Flags(['--inspect'], '--max-old-space-size=512'), [...V8_FLAGS]);
  });
});
