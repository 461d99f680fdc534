// Wires the page together: its language first, then one connection, the
// session that logs it, the auto-reconnect, and one setup call per card,
// each given its own element; after the first paint, the frame watcher
// beside the connection and the cards that need it (client/deferred.ts), or
// the note that they did not load. Nothing else happens here.
import './style.css';
// Here, not in the lazily loaded card: CSS of a dynamic import would bring Vite's preload helper into the entry.
import './conformance.css';
import { EchoConnection, ReadyState, echoUrlFor, isWebSocketSupported } from './connection.ts';
import { traceToConsole } from './console-trace.ts';
import { ECHO_PROTOCOL, WS_PATHS } from '../server/protocol.ts';
import { newMonitorToken, watchedUrl, withToken } from './monitor-token.ts';
import { Reconnector } from './reconnect.ts';
import { Session } from './session.ts';
import { setupBinaryPanel } from './views/binary-panel.ts';
import { setupConnectionPanel } from './views/connection-panel.ts';
import { find, showLaterFailed, showUnsupported } from './views/dom.ts';
import { setupHexView } from './views/hex-view.ts';
import { setupLanguageSwitch } from './views/language-switch.ts';
import { setupLatestPanel } from './views/latest-panel.ts';
import { setupLogPanel } from './views/log-panel.ts';
import { setupSendPanel } from './views/send-panel.ts';
import { setupStatsPanel } from './views/stats-panel.ts';

// The one subprotocol the server speaks, offered as in Ruan Yifeng's WebSocket tutorial.
const SUBPROTOCOLS = [ECHO_PROTOCOL];

// The views draw their first words in the page's language, so they wait for
// its catalogue: one small same-origin file, and none at all for English.
await setupLanguageSwitch(document, navigator.languages);

if (isWebSocketSupported()) {
  // A new token per page load: whoever has it can watch (docs/monitor.md).
  const token = newMonitorToken();
  const server = echoUrlFor(window.location);
  const connection = new EchoConnection(
    { url: server, protocols: SUBPROTOCOLS },
    { watch: (url) => watchedUrl(url, token, server) },
  );
  const session = new Session(connection);
  const reconnector: Reconnector = new Reconnector(() => {
    // A socket the browser refuses to create has no close event to report it: count it as lost too.
    if (connection.connect() !== undefined) reconnector.lost();
  });
  // A close the page asked for is final; any other is a loss to recover from.
  connection.on('close', (info) => (info.requested ? reconnector.stop() : reconnector.lost()));
  connection.on('open', () => reconnector.opened());
  traceToConsole(connection);

  const card = (id: string) => find(document, id, HTMLElement);
  setupConnectionPanel(card('connection-card'), connection, reconnector);
  setupSendPanel(card('text-card'), connection, session);
  setupLatestPanel(card('text-card'), connection, session);
  setupBinaryPanel(card('binary-card'), connection, session);
  setupLogPanel(card('log-card'), session, setupHexView(card('hex-card'), session).show);
  setupStatsPanel(card('stats-card'), session);
  connection.connect();
  void import('./deferred.ts').then(
    (later) => {
      const watcher = new later.FrameWatcher(withToken(echoUrlFor(window.location, WS_PATHS.monitor), token));
      const record = new later.WireRecord(watcher);
      later.logFrames(watcher, session);
      // Open now, and again with a reconnect if the server had closed it.
      const watch = () => connection.watched && watcher.open();
      connection.on('state', (state) => state === ReadyState.CONNECTING && watch());
      watch();
      later.setupTemplates(card('text-card'));
      later.setupCanvasView(card('canvas-figure'), connection, session);
      later.setupClosePanel(card('close-card'), connection);
      later.setupExplainerPanel(card('handshake-card'), connection);
      later.setupMisbehavePanel(card('misbehave-card'), connection, reconnector, token);
      later.setupHandshakeFix(card('fix-101-card'), record, connection);
      later.setupFramesPanel(card('frames-card'), record, connection);
      later.setupFramingFix(card('fix-framing-card'), record);
      later.setupConformancePanel(card('conformance-card'));
    },
    (error: unknown) => showLaterFailed(document, error),
  );
} else {
  showUnsupported(document);
}
