// The package's public API (`import { startEchoServer } from 'ws-echo-playground'`):
// the echo server in the caller's process, for tests. Everything else in
// server/ is internal and may change in any release.
export { ConfigError, type Config, type LogFormat, type LogLevel } from './config.ts';
export type { EchoServerOptions } from './options.ts';
export {
  startEchoServer,
  type CloseInfo,
  type EchoConnection,
  type EchoServerEvents,
  type EchoServerHandle,
  type ReceivedMessage,
} from './in-process.ts';
