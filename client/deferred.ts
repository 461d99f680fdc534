// What main.ts loads after the page's first paint, in a chunk of its own so
// the first load stays small: the frame watcher and what it feeds (the log's
// control frames, the frame view, the tutorials' corrections), and the
// Misbehave panel. The server keeps a connection's recent frames for a
// watcher that comes late (docs/monitor.md), so loading later loses nothing.
export { logFrames } from './frame-notes.ts';
export { FrameWatcher } from './frame-watcher.ts';
export { WireRecord } from './wire-record.ts';
export { setupFramesPanel } from './views/frames-panel.ts';
export { setupMisbehavePanel } from './views/misbehave-panel.ts';
export { setupFramingFix, setupHandshakeFix } from './views/tutorial-fixes-panel.ts';
