// Right under the message form: the connection's state and the latest
// reply, so on a phone the answer to Send Message is on the same screen as
// the button, whatever the log further down holds. Redrawn at most once per
// frame, so a flood of replies costs one write.
import { closeCodeName } from '../close-codes.ts';
import { ReadyState, type EchoConnection } from '../connection.ts';
import { describeReadyState, formatMs } from '../describe.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import type { LogEntry, Session } from '../session.ts';
import { find } from './dom.ts';

export function setupLatestPanel(root: Element, connection: EchoConnection, session: Session): void {
  const state = find(root, 'latest-state', HTMLOutputElement);
  const reply = find(root, 'latest-reply', HTMLOutputElement);
  const rtt = find(root, 'latest-rtt', HTMLElement);
  let lastClose: number | undefined;
  let latest: LogEntry | undefined;
  let frame = 0;

  const showState = () => {
    const now = connection.readyState;
    state.dataset.state = String(now);
    state.value =
      now === ReadyState.CLOSED && lastClose !== undefined
        ? t('latest.closed', { state: describeReadyState(now), code: lastClose, name: closeCodeName(lastClose) })
        : describeReadyState(now);
  };
  const showReply = () => {
    frame = 0;
    if (!latest) return;
    reply.value = latest.text;
    rtt.textContent = latest.rtt === undefined ? '' : t('log.rtt', { ms: formatMs(latest.rtt) });
  };

  connection.on('state', (now) => {
    if (now === ReadyState.CONNECTING) lastClose = undefined;
    showState();
  });
  connection.on('close', ({ code }) => {
    lastClose = code;
    showState();
  });
  session.on('entry', (entry) => {
    if (entry.direction !== 'received' || (entry.kind !== 'text' && entry.kind !== 'binary')) return;
    latest = entry;
    if (frame === 0) frame = requestAnimationFrame(showReply);
  });
  onLanguageChange(() => {
    showState();
    showReply();
  });
  showState();
}
