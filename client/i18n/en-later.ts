// What the page's lazily loaded code says, in English: the frame view and
// what the frame watcher adds to the log, the tutorials' corrections,
// Misbehave, and the Client conformance card. Apart from en.ts's `en` so
// that an English page's first load does not carry it: each module that uses
// these keys imports ./later.ts, which adds them to English's catalogue
// before the module's first t(). Every other language's file has these keys
// too (zh-CN.json), like any other. Same rules as en.ts (read its header);
// no imports here either.

export const enLater = {
  // Whatever separates the items of a list: a comma and a space here, 、 or ， in Chinese.
  'list.gap': ', ',

  // frame-notes.ts: the log's lines for what a script never sees.
  'wire.payload': 'payload {shown}',
  'wire.noPayload': 'no payload',
  'wire.closeCode': 'code {code} ({name})',
  'wire.reason': 'reason {reason}',
  'wire.noStatus': 'no status code',
  'wire.sender.client': 'the browser',
  'wire.sender.server': 'the server',
  'wire.fragments': '{sender} sent this message as {count} fragments ({sizes})',
  'wire.fragmentsQuoted': '{sender} sent this message as {count} fragments ({sizes}): {text}',
  'wire.sizes': '{shown} bytes',
  'wire.sizesMore': '{shown} + … bytes, {total} in all',

  // The Frames on the wire card (frames-panel.ts).
  'frames.status.connecting':
    "Opening the frame view: a second socket to this server's /monitor, with this page's token.",
  'frames.status.watching':
    "Watching this page's connection: the server reports each frame of it on a second socket (/monitor), with this page's token.",
  'frames.status.failed':
    "The frame view is unavailable: this server did not open /monitor for the page (an older server, a proxy that does not pass it, or the page's Content-Security-Policy). Everything else works without it.",
  'frames.status.ended':
    'The frame view stopped: the server closed its socket ({close}). It opens again when the page reconnects.',
  'frames.status.elsewhere':
    "This connection goes to {url}: the frame view sees only the page's connections to the server that sent it.",
  'frames.noHandshake': 'Not seen yet.',
  'frames.direction.client': 'browser → server',
  'frames.direction.server': 'server → browser',
  'frames.title': { one: '{opcode}, {count} byte', other: '{opcode}, {count} bytes' },
  'frames.where': 'connection {connection} · #{seq} · {at}',
  // The last column of RFC 6455 §5.2's figure; the others are the RFC's bit names, the same in every language.
  'frames.column.length': 'Payload len',
  'frames.field.length': 'Payload length',
  'frames.field.key': 'Masking key',
  'frames.field.masked': 'Payload as sent (masked)',
  'frames.field.unmasked': 'Payload, unmasked',
  'frames.field.payload': 'Payload',
  'frames.field.text': 'As text',
  'frames.field.close': 'Close',
  'frames.length7': { one: '{count} byte, in the 7-bit field', other: '{count} bytes, in the 7-bit field' },
  'frames.lengthLong': '{count} bytes: the 7-bit field says {field}, so the length follows in {bits} bits ({hex})',
  'frames.noKey': "none: MASK is 0, as in every frame a server sends (a client's frames are always masked)",
  'frames.empty': '(empty)',
  'frames.truncated': '{shown} … (the first {kept} of {total} bytes)',
  'frames.close': '{code} ({name})',
  'frames.closeReason': '{code} ({name}), reason {reason}',
  'frames.handshake': 'connection {connection}: handshake answered {status}',
  'frames.closed': 'connection {connection} closed: {by} sent the first close frame, {code} ({name})',
  'frames.closedReason': 'connection {connection} closed: {by} sent the first close frame, {code} ({name}) {reason}',
  'frames.dropped': 'connection {connection} dropped without a closing handshake (the browser reports 1006)',
  'frames.gap': {
    one: '{count} event not shown: the server skips a watcher that falls behind',
    other: '{count} events not shown: the server skips a watcher that falls behind',
  },

  // The tutorials' corrections (tutorial-fixes-panel.ts).
  'fix.waitingResponse': "Not seen yet: the frame view shows this server's response once the page connects.",
  'fix.waitingFrame': 'Send a message (Text, at the top) to see its bytes here.',
  'fix.unavailable': 'The frame view is unavailable, so the bytes this server exchanged cannot be shown here.',
  'fix.and': ' and ',
  'fix.missing': "{headers}: not in this server's response.",
  'fix.present': "{headers}: in this response, unlike RFC 6455 servers'.",
  'fix.accept': 'It proves the handshake with Sec-WebSocket-Accept: {value}, as RFC 6455 §4.2.2 says.',
  'fix.part.first': 'FIN {fin}, RSV1-3 {rsv}, opcode {opcode} ({name})',
  'fix.part.second': 'MASK {mask}, payload length {length}',
  'fix.part.length16': '126: 16 bits follow',
  'fix.part.length64': '127: 64 bits follow',
  'fix.part.length': 'the payload length, {length}',
  'fix.part.key': 'the masking key the browser chose for this frame',
  'fix.part.payload': 'the payload, masked: XOR the key again to read "{text}"',
  'fix.part.payloadTruncated':
    'the payload, masked (the first {kept} of {total} bytes): XOR the key again to read "{text}"',

  // The Misbehave card (misbehave-panel.ts, misbehave-url.ts).
  'misbehave.preset.drop': 'a drop every {seconds} s',
  'misbehave.preset.close1011': 'a close 1011',
  'misbehave.preset.slow': 'a slow server',
  'misbehave.preset.pings': 'pings every second',
  'misbehave.preset.fragments': 'replies in fragments',
  'misbehave.valueOf': 'Value of {name}',
  'misbehave.hint': '{allowed}: {meaning}.',
  'misbehave.bare': '(no value)',
  'misbehave.refused': 'The server will refuse this URL with 400: {line}',
  'misbehave.opened': 'opened',
  'misbehave.openedWith': 'opened, extensions {extensions}',
  'misbehave.lost': 'lost: code {code} ({name})',
  'misbehave.waiting': 'auto-reconnect: retry #{attempt} in {seconds} s',
  'misbehave.connecting': 'auto-reconnect: retry #{attempt} connecting',
  'misbehave.summary': 'Since Connect to this URL: opened {opened}, lost {lost}.',
  'misbehave.times': { one: '{count} time', other: '{count} times' },
  // What a parameter takes, as server/misbehave.ts's allowedValues says it (test/client/misbehave-url.test.ts compares).
  'misbehave.allowed.integer': 'an integer in {ranges}',
  'misbehave.allowed.range': '{min}-{max}',
  'misbehave.allowed.or': ' or ',
  'misbehave.allowed.text': 'UTF-8 text of at most {bytes} bytes',
  'misbehave.allowed.noValue': 'no value',
  'misbehave.allowed.token': '{min}-{max} characters of A-Z, a-z, 0-9, _ and -',
  // What each parameter does: server/misbehave.ts's `meaning`, word for word in English (the same test compares).
  'misbehave.meaning.close': 'when the trigger fires, the server starts the closing handshake with this code',
  'misbehave.meaning.reason': 'the reason sent with close (a close frame has room for 123 bytes)',
  'misbehave.meaning.drop':
    'when the trigger fires, the server sends what it has queued, then ends TCP without a close frame: the client sees 1006',
  'misbehave.meaning.after':
    "the trigger for close or drop: after this many echo replies have been sent (the greeting, /inspect's report and /push's ticks do not count); 0, the default, fires right after the open",
  'misbehave.meaning.after_ms': 'the trigger for close or drop: this many ms after the open, instead of after',
  'misbehave.meaning.delay_ms':
    'every echo reply waits this long, in order; while more than --max-buffered bytes wait, the server stops reading from the client',
  'misbehave.meaning.fragment':
    'every message the server sends is split into frames of at most this many payload bytes (before compression, with deflate): the first with the data opcode, the rest continuations, FIN on the last',
  'misbehave.meaning.ping_ms': 'the server sends a ping at this interval, with a counter (1, 2, 3…) as its payload',
  'misbehave.meaning.pong': "the server does not answer the client's pings",
  'misbehave.meaning.greeting': "sent as a text message right after the open, before /inspect's report and any reply",
  'misbehave.meaning.deflate':
    "the server accepts the client's permessage-deflate offer (RFC 7692) with the parameters it asks for, unless --max-deflate-connections already compress; without deflate or --deflate it never does",
  'misbehave.meaning.reject': 'the server refuses the handshake with this HTTP status, without upgrading',
  'misbehave.meaning.interval': "ms between /push's messages (default {default})",

  // The Close card (close-panel.ts) and what close-codes.ts says for it: a code's meaning, a code or reason a page may not send.
  'closeCode.meaning': '{name}: {explanation}',
  // One sentence each, for a learner who sees the code for the first time.
  'close.bytes': '{count} of {max} bytes',
  'close.explain': 'Closed with {code}, reason {reason}, wasClean {wasClean}: {who}. {code} {meaning}',
  'close.who.answered': 'the server answered this page’s close frame with this code and reason',
  'close.who.server': 'the server started the close with this code and reason',
  'close.who.lost': 'no close frame came back; the browser reports the loss itself',
  'closeCode.1000.meaning': 'the purpose of the connection was fulfilled.',
  'closeCode.1001.meaning': 'an endpoint is going away, e.g. a server shutting down or a page being left.',
  'closeCode.1002.meaning': 'an endpoint received a frame that breaks the protocol.',
  'closeCode.1003.meaning': 'an endpoint received a type of data it cannot accept (e.g. binary where it wants text).',
  'closeCode.1005.meaning': 'the close frame carried no code; never sent on the wire, only reported.',
  'closeCode.1006.meaning': 'the connection dropped without a close frame; never sent on the wire, only reported.',
  'closeCode.1007.meaning': 'a message was not what its type promised, e.g. text that is not UTF-8.',
  'closeCode.1008.meaning': 'a message broke the endpoint’s policy (this server: the rate limit).',
  'closeCode.1009.meaning': 'a message was too big for the endpoint (this server: over {size} by default).',
  'closeCode.1010.meaning': 'the client needed an extension the server did not agree to.',
  'closeCode.1011.meaning': 'the server met an unexpected condition.',
  'closeCode.1012.meaning': 'the server is restarting; reconnecting later may work.',
  'closeCode.1013.meaning': 'the server is overloaded; try again later.',
  'closeCode.1014.meaning': 'a gateway or proxy got an invalid response upstream.',
  'closeCode.1015.meaning': 'the TLS handshake failed; never sent on the wire, only reported.',
  'closeCode.registered.meaning':
    'Registered: 3000–3999 are registered with IANA by libraries, frameworks and applications.',
  'closeCode.private.meaning': 'Private use: 4000–4999 are for an application and its server to agree on; no registry.',
  'closeCode.reserved.meaning': 'Reserved: 1000–2999 are kept for RFC 6455 and its future extensions.',
  'closeCode.invalid.meaning': 'Not a valid code: close codes run from 1000 to 4999.',
  'closeCode.notNumber': 'Enter a whole number: 1000, or one from 3000 to 4999.',
  'closeCode.notForPages':
    '{code} ({name}) is for browsers and servers to send or report; a page may only close with 1000 or 3000–4999.',
  'closeCode.future': '{code} is reserved for future RFCs; a page may only close with 1000 or 3000–4999.',
  'closeCode.outside': '{code} is outside the close codes (1000–4999); a page may only close with 1000 or 3000–4999.',
  'closeReason.tooLong': 'The reason is {bytes} bytes in UTF-8; a close frame has room for {max}.',

  // The Client conformance card (conformance-panel.ts, conformance-run.ts, conformance.ts).
  // The categories' names (server/protocol.ts's CONFORMANCE_CATEGORIES, Autobahn's names), one key per category.
  'conformance.category.1': 'Framing',
  'conformance.category.2': 'Pings/Pongs',
  'conformance.category.3': 'Reserved Bits',
  'conformance.category.4': 'Opcodes',
  'conformance.category.5': 'Fragmentation',
  'conformance.category.6': 'UTF-8 Handling',
  'conformance.category.7': 'Close Handling',
  'conformance.category.9': 'Limits/Performance',
  'conformance.category.10': 'Misc',
  'conformance.category.12': 'WebSocket Compression (different payloads)',
  'conformance.category.13': 'WebSocket Compression (different parameters)',
  'conformance.noCategory': 'Choose at least one category to run.',
  'conformance.notLoaded': 'The test runner could not be loaded: {message}',
  'conformance.starting': 'Testing this browser as “{agent}”…',
  'conformance.current': 'Case {id} (number {number} of {count}), {category}; {done} run so far.',
  'conformance.cases': { one: '{count} case', other: '{count} cases' },
  'conformance.messages': { one: '{count} message', other: '{count} messages' },
  'conformance.finished': 'Ran {cases} in {elapsed} as “{agent}”.',
  'conformance.stopped': 'Stopped after {cases} ({elapsed}) as “{agent}”; the verdicts of those are below.',
  'conformance.failed': 'The run stopped: {message}.',
  'conformance.nothingRun': 'No case ran to its end.',
  'conformance.count': '{count} {verdict}',
  'conformance.withoutVerdict': '{count} without a verdict',
  'conformance.reportsAre': 'Reports: ',
  'conformance.summaryLink': 'HTML summary of every agent',
  'conformance.noVerdict': 'no verdict',
  'conformance.field.description': 'Description',
  'conformance.field.behavior': 'Behavior',
  'conformance.field.behaviorClose': 'Close behavior',
  'conformance.field.closeCode': 'Close code the browser sent',
  'conformance.field.duration': 'Duration',
  'conformance.field.browser': 'The browser reported',
  'conformance.field.report': 'Report',
  'conformance.none': 'none',
  'conformance.missing':
    'The reports have no verdict for this case (the server may have dropped this agent to make room).',
  'conformance.durationMs': '{ms} ms',
  'conformance.browser': 'close code {code}, wasClean {wasClean}; {received} received, {echoed} sent back',
  'conformance.browserReason':
    'close code {code}, reason {reason}, wasClean {wasClean}; {received} received, {echoed} sent back',
  'conformance.errorThen': 'an error event, then {rest}',
  'conformance.jsonReport': 'JSON report',
  'conformance.inSummary': 'in the summary',
  'conformance.closeVerdict': 'close {verdict}',
  // conformance.ts's errors: clauses, as readFirstMessage's are.
  'conformance.badCount': 'the server sent {text} as the number of cases, not a number',
  'conformance.badInfo': "the server's description of case {number} is not the JSON /getCaseInfo sends",
  'conformance.reportsFailed': 'the server could not finish the reports (close code {code})',
  'conformance.reportsFailedReason': 'the server could not finish the reports (close code {code}: {reason})',
  'conformance.indexFailed': 'reading the reports failed with HTTP {status}',
} as const;
