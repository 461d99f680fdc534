// Every string the page shows, in English, and the source of every
// catalogue's keys: client/i18n/translate.ts derives the type from these two
// objects, and client/i18n/languages.ts holds every other language's file to
// it, so a key missing from zh-CN.json is a type error. Two objects, one for
// what index.html says and one for what the code says, because the HTML
// already holds its own English: only `en` is bundled, so an English page
// loads no text twice. Every other language is one JSON file with every key,
// fetched when first shown.
//
// To add a string (for a new panel, a new log entry, a new error):
//  1. Add a key, named '<card or module>.<what>', e.g. 'misbehave.heading':
//     to `enPage` when index.html shows it, to `en` when code does.
//     Values are plain text, never HTML. Parameters are `{name}`:
//     t('log.open', { url, protocol }) fills 'open: connected to {url}, …'.
//     A count that changes the words is a plural entry, `{ one, other }`
//     (the forms of Intl.PluralRules; t() picks one by `{count}`).
//  2. Add the same key to every other language's file (zh-CN.json):
//     `npm run typecheck` names the ones you missed; test/client/i18n.test.ts
//     checks that no file has extra keys and that the `{placeholders}` match.
//  3. In code: t('misbehave.heading'). Whatever stays on screen must follow a
//     language switch: views re-render in an onLanguageChange() listener, and
//     log entries take a function (() => t(…)) rather than a string.
//     In index.html: data-i18n="key" on the element whose text it is, and
//     data-i18n-aria-label / -title / -placeholder / -content for attributes,
//     with the English text in the HTML as it is in `enPage` (e2e/language.spec.ts
//     compares them). Markup inside a sentence (<code>, <q>, <cite>) is a
//     child with data-slot="name", placed where the text says {name}.
// What stays English in every language, so it is not here: the design card's
// texts from Go Web Programming ("WebSocket Echo Test", "Hello, world!",
// "Send Message", the "Received: …" replies), the Go tutorial's console lines
// (console-trace.ts), and protocol words that are code (readyState names,
// event names, header names, echo-protocol). No file here imports anything:
// values such as the size limit come in as parameters.

/**
 * What index.html says, by its data-i18n keys. Never bundled (the HTML has
 * it): it types the keys, it is what translators translate, and the e2e
 * tests hold the HTML's English to it.
 */
export const enPage = {
  'tutorial.go': 'Go Web Programming',

  // The header, what replaces the page without WebSocket, and what says its later cards did not load.
  'page.description':
    'A WebSocket bench: send text and binary to an echo server, time the round trips, read the handshake.',
  'page.lede':
    "One WebSocket to the server that sent this page. Text comes back as {reply}, binary comes back byte for byte. Below {go}'s echo form: other endpoints, round-trip times, a hex view, close codes and the handshake.",
  'page.unsupported':
    'This browser has no WebSocket support ({api} is missing), so this page cannot talk to the echo server. Open it in a current browser.',
  'page.laterFailed':
    'Part of this page could not load (the server may have been updated, or the network dropped): sending and the log work, the other cards stay empty. Reload the page to get them all.',

  // Text card and its templates.
  'text.heading': 'Text',
  'text.message': 'Message',
  'text.hint': 'Enter sends, Shift+Enter adds a line, ↑ and ↓ recall what you sent.',
  'text.checkJson': 'Check JSON before sending',
  'text.prettyPrint': 'Pretty-print JSON',
  'latest.state': 'State',
  'latest.reply': 'Latest reply',
  'templates.legend': 'Templates',
  'templates.kept': '(kept in this browser)',
  'templates.saved': 'Saved',
  'templates.pick': 'Pick a template…',
  'templates.delete': 'Delete template',
  'templates.name': 'Name',
  'templates.namePlaceholder': 'e.g. subscribe',
  'templates.save': 'Save template',

  // Connection card.
  'connection.heading': 'Connection',
  'connection.subprotocol': 'Subprotocol',
  'connection.extensions': 'Extensions',
  'connection.lastClose': 'Last close',
  'connection.endpoint': 'Endpoint',
  'connection.paths': 'Switch to a path on this server',
  'connection.echoPath': '/ echo',
  'connection.pathsHint':
    "A path button connects there at once. This server's page may only open sockets to this server.",
  'connection.offer': 'Subprotocols to offer (comma separated)',
  'connection.connect': 'Connect',
  'connection.disconnect': 'Disconnect',
  'connection.autoReconnect': 'Auto-reconnect',
  'connection.compress': 'Compress (permessage-deflate)',
  'connection.compressHint':
    "Reconnects with {query}: this server then agrees to the browser's permessage-deflate offer, and Extensions shows its parameters.",

  // Stats card.
  'stats.heading': 'Stats',
  'stats.sent': 'Sent',
  'stats.received': 'Received',
  'stats.roundTrip': 'Round trip',
  'stats.uptime': 'Uptime',

  // Log card.
  'log.heading': 'Log',
  'log.clear': 'Clear',
  'log.export': 'Export JSON',
  'log.show': 'Show',
  'log.filter.all': 'all',
  'log.filter.sent': 'sent',
  'log.filter.received': 'received',
  'log.filter.event': 'events',
  'log.filter.control': 'control frames',
  'log.filter.fragments': 'fragmented messages',
  'log.search': 'Search',

  // Binary card.
  'binary.heading': 'Binary',
  'binary.receiveAs': 'Receive binary as ({binaryType})',
  'binary.file': 'Send a file (as a Blob)',
  'binary.fileHint': 'The server closes with 1009 (Message Too Big) above its limit, {size} by default.',
  'binary.hexBytes': 'Hex bytes',
  'binary.sendBytes': 'Send bytes',
  'canvas.label': 'Client and server exchanging ripples',
  'canvas.send': 'Send canvas pixels',
  'canvas.caption': '{call} as an ArrayBuffer',

  // Binary view card.
  'hexView.heading': 'Binary view',
  'hexView.dump': 'Hex dump',

  // Close card.
  'close.heading': 'Close',
  'close.code': 'Close code',
  'close.reason': 'Close reason',
  'close.send': 'Close with code',
  'close.hint': '{bytes} in the reason (UTF-8). {codes}',
  'close.codeHint': 'A page may close with 1000 or 3000–4999; this server answers with the same code and reason.',

  // Handshake card.
  'handshake.heading': 'Handshake',
  'handshake.hint':
    'The browser sends a random {key}; the server answers with base64(SHA-1(key + {guid})) as {accept}.',
  'handshake.inspect': 'Inspect handshake',
  'handshake.requestLine': 'Request line',
  'handshake.key': 'Key',
  'handshake.serverAccept': "Server's accept",
  'handshake.browserAccept': "Browser's accept",
  'handshake.match': 'Match',
  'handshake.protocol': 'Protocol',
  'handshake.extensions': 'Extensions',
  'handshake.headers': 'Request headers',
  'handshake.headersCaption': 'Request headers as the server saw them',
  'handshake.name': 'Name',
  'handshake.value': 'Value',
  'handshake.calculator': 'Accept calculator',
  'handshake.compute': 'Compute',
  'handshake.tutorialKeys': 'Keys from the tutorials',
  'handshake.goKey': "Go tutorial's key",
  'handshake.goKeyTitle': 'The key in Go Web Programming §8.2 “WebSocket”',
  'handshake.ruanKey': "Ruan Yifeng's key",
  'handshake.ruanKeyTitle': "The key in Ruan Yifeng's WebSocket tutorial",

  // Misbehave card.
  'misbehave.heading': 'Misbehave',
  'misbehave.intro':
    "Ask this server to misbehave on the page's own connection, then watch the page cope: tick faults, read the URL they make, connect. Any client can use the same URL parameters.",
  'misbehave.presets': 'Presets',
  'misbehave.path': 'Path',
  'misbehave.faults': 'Faults',
  'misbehave.url': 'URL to connect to',
  'misbehave.connect': 'Connect to this URL',
  'misbehave.extensions': 'Negotiated extensions',

  // The tutorials' corrections: the 101 of Ruan Yifeng's tutorial, the framing of the Go tutorial.
  'fix101.heading': 'The 101 response, then and now',
  'fix101.intro': "Ruan Yifeng's WebSocket tutorial shows the server answering:",
  'fix101.tutorialCaption': "The tutorial's 101 response",
  'fix101.explain':
    "{origin} and {location} come from the drafts before RFC 6455 (hixie-76). RFC 6455 servers don't send them, and browsers ignore them; only {accept} proves the handshake. What this server answered this page:",
  'fix101.serverCaption': "This server's 101 response",
  'fix101.others': "The tutorial's other examples, on this page",
  'fix101.port':
    '{client} and {listen}: the page connects to the server that sent it, here {url}. The server listens on 1234 unless {flag} says otherwise.',
  'fix101.protocol':
    '{accept} (the {package} package): here the browser offers {protocol} (Connection, Subprotocols), the server picks it ({header} above), and it refuses an {origin} it does not allow with 403 before any handshake.',
  'fix101.url':
    "{old}: today's property is {url}, in lower case ({upper}, from early drafts of the API, is {undefined}); the URL in Connection is it.",
  'fixFraming.heading': 'Framing, then and now',
  'fixFraming.intro': '{book} §8.2 says that after the handshake every message travels between {start} and {end}:',
  'fixFraming.gloss': '(“From then on, the data starts with \\x00 and ends with \\xFF.”)',
  'fixFraming.explain':
    'That was the framing of the drafts before RFC 6455 (hixie-75 and hixie-76): no length, no opcode, no mask, text only. Your last message, both ways:',
  'fixFraming.hixieCaption': 'As §8.2 describes it (hixie-75/76)',
  'fixFraming.realCaption': 'As it crossed the wire (RFC 6455)',

  // Frames on the wire card.
  'frames.heading': 'Frames on the wire',
  'frames.hint':
    "A page's script only ever sees whole messages. The server sees the frames, so it shows them here: every frame of this page's connection, both ways, as RFC 6455 §5.2 draws them. The browser's frames are masked, the server's are not.",
  'frames.handshakeHeading': 'Opening handshake',
  'frames.request': 'Request (browser → server)',
  'frames.response': 'Response (server → browser)',
  'frames.listHeading': 'Frames, newest last',

  // Client conformance card.
  'conformance.heading': 'Client conformance',
  'conformance.hint':
    "Plays this server's client-conformance cases (those of the Autobahn fuzzing server) against this page's own {api}, which echoes every message back, one case after another. The server grades what the browser does with each.",
  'conformance.categories': 'Categories to run',
  'conformance.duration':
    'Category 9 sends messages of up to 16 MiB; without 9, 12 and 13 a run takes seconds rather than minutes.',
  'conformance.run': 'Test this browser',
  'conformance.stop': 'Stop',
  'conformance.progress': 'Cases played',
} as const;

/** What the page's code says: bundled, for an English page's first load. */
export const en = {
  // Whatever joins two sentences: a space here, nothing in Chinese.
  'sentence.gap': ' ',
  none: '(none)',

  // Text card (send-panel.ts) and its templates (templates-panel.ts, templates.ts).
  'text.notJson': 'Not valid JSON, so not sent: {reason}',
  'templates.noStorage': 'This browser keeps no localStorage here, so templates cannot be saved.',
  'templates.nameFirst': 'Give the template a name first.',
  'templates.refused': 'The browser would not store it ({reason}).',
  'templates.storageError': 'storage error',

  // Connection card (connection-panel.ts), auto-reconnect, and connection.ts's errors.
  'connection.cspBlocked':
    "This page's Content-Security-Policy only allows sockets to this server; {url} was blocked. Start the server with --connect-src <that server's ws:// origin> (or *) to test other servers from here.",
  // What each readyState means, after Ruan Yifeng's tutorial's list.
  'readyState.0': 'handshake under way; nothing can be sent yet',
  'readyState.1': 'connected; send() works',
  'readyState.2': 'closing handshake under way',
  'readyState.3': 'closed, or never opened; Connect opens a new socket',
  'reconnect.off': 'off: a lost connection stays closed',
  'reconnect.idle': 'on: retries 0.5 s, 1 s, 2 s … up to 30 s (±20 %)',
  'reconnect.connecting': 'attempt #{attempt}: connecting…',
  'reconnect.waiting': 'connection lost; next attempt #{attempt} at {time}',
  'reconnect.countdown': 'in {seconds} s',
  'target.notUrl': '{text} is not a URL; write e.g. ws://127.0.0.1:1234/raw.',
  'target.scheme': 'A WebSocket URL starts with ws:// or wss://, not {scheme}//.',
  'target.fragment': 'A WebSocket URL cannot have a #fragment.',
  'target.badSubprotocol': '{name} is not a valid subprotocol name (no spaces or separators).',
  'target.repeated': 'Each subprotocol may be offered only once.',

  // Under the message form (latest-panel.ts): the state after a close.
  'latest.closed': '{state}, code {code} ({name})',

  // Stats card (stats-panel.ts).
  'stats.traffic': { one: '{count} message, {bytes}', other: '{count} messages, {bytes}' },
  'stats.rtt': {
    one: 'last {last}, mean {mean} over {count} reply',
    other: 'last {last}, mean {mean} over {count} replies',
  },
  'stats.notConnected': 'not connected',

  // Log card (log-panel.ts), and the entries session.ts and the panels write.
  'log.nothingShown': 'No entries to show.',
  'log.count': { one: '{count} entry.', other: '{count} entries.' },
  'log.countShowing': '{count} entries, showing the newest {shown}.',
  'log.cleared': 'Cleared entries are still in the export.',
  'log.dropped': '{count} oldest dropped: memory keeps {max}.',
  'log.direction.sent': 'sent',
  'log.direction.received': 'received',
  'log.direction.event': 'event',
  'log.direction.error': 'error',
  'log.kind.text': 'text',
  'log.kind.binary': 'binary',
  'log.kind.control': 'control',
  'log.kind.fragments': 'fragments',
  'log.size': '{size} B',
  'log.rtt': 'rtt {ms}',
  'log.hex': 'hex',
  'log.hexLabel': 'hex dump of entry {id}',
  'log.connecting': 'connecting to {url}, offering subprotocol {protocols}',
  'log.open': 'open: connected to {url}, subprotocol {protocol}',
  'log.error': 'error event: the browser gives no details; the close event has the code',
  'log.close': 'close: {close}',
  'log.binaryType': 'binaryType set to {type}',
  'log.file': 'file {name}: {binary}',
  'log.hexBytes': 'hex bytes: {binary}',
  'log.canvas': 'canvas pixels: {binary}',

  // describe.ts: a binary message, and a close, as the log and Last close show them.
  'describe.binary': '{type}, {size} bytes',
  'describe.close': 'code {code} ({name}), reason {reason}, wasClean {wasClean}',

  // Binary card: the canvas picture (picture.ts) and hex.ts's errors.
  'canvas.title': 'ws:// echo',
  'canvas.client': 'client',
  'canvas.server': 'server',
  'canvas.bytes': '{width} × {height} × 4 = {bytes} bytes',
  'hex.empty': 'Type some bytes as hex, e.g. "de ad be ef".',
  'hex.notDigit': '{char} is not a hex digit; use 0–9 and a–f.',
  'hex.odd': 'That is {count} hex digits; each byte needs two.',

  // Binary view card (hex-view.ts).
  'hexView.caption': 'The newest binary message sent or received shows here as hex and ASCII.',
  'hexView.more': 'Show more',
  'hexView.less': 'Show less',
  'hexView.which': 'Entry {id}, {direction} at {time}: {text}.',
  'hexView.all': 'All {size} bytes.',
  'hexView.first': 'First {shown} of {size} bytes.',
  'hexView.previewOnly': 'Only the newest binary messages keep more than their first {kept} bytes.',
  'hexView.limit': 'The view stops at 64 KiB.',

  // Close card (close-panel.ts) and close-codes.ts: the codes' names, which the log needs too
  // (what only the Close card says is in en-later.ts).
  // The short names RFC 6455 and the IANA registry give the 1000-range codes.
  'closeCode.1000': 'Normal Closure',
  'closeCode.1001': 'Going Away',
  'closeCode.1002': 'Protocol Error',
  'closeCode.1003': 'Unsupported Data',
  'closeCode.1005': 'No Status Received',
  'closeCode.1006': 'Abnormal Closure',
  'closeCode.1007': 'Invalid Payload Data',
  'closeCode.1008': 'Policy Violation',
  'closeCode.1009': 'Message Too Big',
  'closeCode.1010': 'Mandatory Extension',
  'closeCode.1011': 'Internal Error',
  'closeCode.1012': 'Service Restart',
  'closeCode.1013': 'Try Again Later',
  'closeCode.1014': 'Bad Gateway',
  'closeCode.1015': 'TLS Handshake',
  'closeCode.registered': 'Registered',
  'closeCode.private': 'Private use',
  'closeCode.reserved': 'Reserved',
  'closeCode.invalid': 'Not a valid code',

  // Handshake card (explainer-panel.ts) and connection.ts's readFirstMessage.
  'handshake.noCrypto':
    'This browser cannot compute SHA-1 here: crypto.subtle exists only in secure contexts (https, or http on localhost and 127.0.0.1), and this page is plain http from another host. The server’s values are still shown.',
  'handshake.opening': 'Opening a short-lived socket to {url}…',
  'handshake.inspected': 'Inspected {url} over a socket of its own, closed again.',
  'handshake.failed': 'Could not inspect {url}: {reason}.',
  'handshake.matches': '✓ match: the browser computes what the server sent',
  'handshake.differs': '✗ differs from what the server sent',
  'handshake.noBrowserAccept': 'not available (no crypto.subtle, see below)',
  'handshake.cannotCheck': 'cannot check here',
  'handshake.needsSecureContext': 'needs a secure context (see below)',
  'handshake.notReport': 'the first message was not an inspect report',
  'inspect.timeout': 'no message within {seconds} s',
  'inspect.binary': 'the first message was binary',
  'inspect.closed': 'the connection closed with {code} before any message',
} as const;
