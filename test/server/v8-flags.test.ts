// The V8 flags of server/v8-flags.ts are how the server is meant to run: every
// way this project starts it in production passes them. (Workers forked by
// --workers inherit them: node:cluster forks with the primary's execArgv.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serverCommand } from '../../bench/servers.ts';
import { V8_FLAGS } from '../../server/v8-flags.ts';
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
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.deepEqual(nodeFlagsOf(scripts.start!, 'dist/server/main.js'), [...V8_FLAGS]);
  });

  for (const unit of ['ws-echo.service', 'ws-echo@.service']) {
    it(`deploy/${unit} passes them`, () => {
      const execStart = /^ExecStart=(.*)$/m.exec(readFileSync(join(PROJECT_ROOT, 'deploy', unit), 'utf8'))?.[1];
      assert.ok(execStart, `no ExecStart= in ${unit}`);
      assert.deepEqual(nodeFlagsOf(execStart, 'dist/server/main.js'), [...V8_FLAGS]);
    });
  }

  it('the benchmark runs the project with them', () => {
    const command = serverCommand('project', 1234, undefined);
    assert.deepEqual(command.slice(1, command.indexOf('dist/server/main.js')), [...V8_FLAGS]);
  });
});
