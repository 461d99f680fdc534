// Wires the page together: its language first, then one connection, the
// session that logs it, the auto-reconnect, and one setup call per card,
// each given its own element. Nothing else happens here.
import './style.css';
import { EchoConnection, echoUrlFor, isWebSocketSupported } from './connection.ts';
import { traceToConsole } from './console-trace.ts';
import { ECHO_PROTOCOL } from '../server/protocol.ts';
import { Reconnector } from './reconnect.ts';
import { Session } from './session.ts';
import { setupBinaryPanel } from './views/binary-panel.ts';
import { setupCanvasView } from './views/canvas-view.ts';
import { setupClosePanel } from './views/close-panel.ts';
import { setupConformancePanel } from './views/conformance-panel.ts';
import { setupConnectionPanel } from './views/connection-panel.ts';
import { find, showUnsupported } from './views/dom.ts';
import { setupExplainerPanel } from './views/explainer-panel.ts';
import { setupHexView } from './views/hex-view.ts';
import { setupLanguageSwitch } from './views/language-switch.ts';
import { setupLogPanel } from './views/log-panel.ts';
import { setupSendPanel } from './views/send-panel.ts';
import { setupStatsPanel } from './views/stats-panel.ts';
import { setupTemplates } from './views/templates-panel.ts';

// The one subprotocol the server speaks, offered as in Ruan Yifeng's WebSocket tutorial.
const SUBPROTOCOLS = [ECHO_PROTOCOL];

// The views draw their first words in the page's language, so they wait for
// its catalogue: one small same-origin file, and none at all for English.
await setupLanguageSwitch(document, navigator.languages);

if (isWebSocketSupported()) {
  const connection = new EchoConnection({ url: echoUrlFor(window.location), protocols: SUBPROTOCOLS });
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
  setupTemplates(card('text-card'));
  setupBinaryPanel(card('binary-card'), connection, session);
  setupCanvasView(card('canvas-figure'), connection, session);
  setupLogPanel(card('log-card'), session, setupHexView(card('hex-card'), session).show);
  setupStatsPanel(card('stats-card'), session);
  setupClosePanel(card('close-card'), connection);
  setupExplainerPanel(card('handshake-card'), connection);
  setupConformancePanel(card('conformance-card'));
  connection.connect();
} else {
  showUnsupported(document);
}
