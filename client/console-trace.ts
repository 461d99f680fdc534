// The Go tutorial's console lines, word for word, so DevTools tells the same story
// as the tutorial (and tests can hold the page to it).
import type { EchoConnection } from './connection.ts';
import { consoleForm } from './describe.ts';

/** Writes one console line per connection event. */
export function traceToConsole(connection: EchoConnection): void {
  connection.on('open', ({ url }) => console.log(`connected to ${url}`));
  connection.on('message', (data) => console.log(`message received: ${consoleForm(data)}`));
  connection.on('error', () => console.error('connection error'));
  connection.on('close', ({ code }) => console.log(`connection closed (${code})`));
}
