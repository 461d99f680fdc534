// Wires the page together: the connection's events into the view, the
// view's controls into the connection. Nothing else happens here.
import './style.css';
import { EchoConnection, echoUrlFor, isWebSocketSupported } from './connection.ts';
import { traceToConsole } from './console-trace.ts';
import { mountPlayground, showUnsupported } from './view.ts';

// The one subprotocol the server speaks (server/echo.ts), offered as in seed 002.
const SUBPROTOCOLS = ['echo-protocol'];

if (isWebSocketSupported()) {
  const connection = new EchoConnection(echoUrlFor(window.location), SUBPROTOCOLS);
  const view = mountPlayground(document, {
    url: connection.url,
    protocols: connection.protocols,
    actions: {
      connect: () => connection.connect(),
      disconnect: () => connection.disconnect('Disconnect clicked'),
      send: (data) => connection.send(data),
      setBinaryType: (type) => connection.setBinaryType(type),
    },
  });
  traceToConsole(connection);
  connection.on('state', view.showState);
  connection.on('open', view.showOpen);
  connection.on('message', view.showMessage);
  connection.on('error', view.showError);
  connection.on('close', view.showClose);
  connection.connect();
} else {
  showUnsupported(document);
}
