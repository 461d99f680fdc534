// The Stats card: messages and bytes each way, last and mean round trip, and
// how long the current connection has been open (ticking once a second).
import { formatBytes, formatDuration, formatMs } from '../describe.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import type { Session, Stats } from '../session.ts';
import { find } from './dom.ts';

export function setupStatsPanel(root: Element, session: Session): void {
  const sent = find(root, 'stat-sent', HTMLOutputElement);
  const received = find(root, 'stat-received', HTMLOutputElement);
  const rtt = find(root, 'stat-rtt', HTMLOutputElement);
  const uptime = find(root, 'stat-uptime', HTMLOutputElement);
  let frame = 0;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const showUptime = ({ openedAt }: Stats) => {
    uptime.value = openedAt === undefined ? t('stats.notConnected') : formatDuration(Date.now() - openedAt);
  };
  const render = () => {
    frame = 0;
    const { stats } = session;
    sent.value = t('stats.traffic', { count: stats.sentMessages, bytes: formatBytes(stats.sentBytes) });
    received.value = t('stats.traffic', { count: stats.receivedMessages, bytes: formatBytes(stats.receivedBytes) });
    rtt.value =
      stats.lastRtt === undefined
        ? '—'
        : t('stats.rtt', {
            last: formatMs(stats.lastRtt),
            mean: formatMs(stats.rttTotal / stats.rttCount),
            count: stats.rttCount,
          });
    showUptime(stats);
    // Ticks only while a connection is open.
    if (stats.openedAt !== undefined && ticker === undefined)
      ticker = setInterval(() => showUptime(session.stats), 1000);
    if (stats.openedAt === undefined && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
  // At most once a frame, however many messages arrive in it.
  session.on('stats', () => {
    if (frame === 0) frame = requestAnimationFrame(render);
  });
  render();
  onLanguageChange(render);
}
