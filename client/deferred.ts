// What main.ts loads after the page's first paint, in a chunk of its own so
// the first load stays under its budget (test/client/first-load.test.ts): the
// frame watcher and what it feeds (the log's control frames, the frame view,
// the tutorials' corrections), Misbehave, the Handshake card (a click away
// from doing anything), and the Client conformance card (whose runner loads
// on its first click). The server keeps a connection's recent frames for a
// watcher that comes late (docs/monitor.md), so loading later loses nothing.
export { logFrames } from './frame-notes.ts';
export { FrameWatcher } from './frame-watcher.ts';
export { WireRecord } from './wire-record.ts';
export { setupCanvasView } from './views/canvas-view.ts';
export { setupClosePanel } from './views/close-panel.ts';
export { setupConformancePanel } from './views/conformance-panel.ts';
export { setupExplainerPanel } from './views/explainer-panel.ts';
export { setupFramesPanel } from './views/frames-panel.ts';
export { setupMisbehavePanel } from './views/misbehave-panel.ts';
export { setupTemplates } from './views/templates-panel.ts';
export { setupFramingFix, setupHandshakeFix } from './views/tutorial-fixes-panel.ts';
