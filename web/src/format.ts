/** Times in Asia/Shanghai and numbers as officials read them. */

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export function formatTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateTime.format(ms);
}

/** 93.72% (two decimals); '—' when there is nothing to divide by. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(2)}%`;
}

/** "剩余 2天3小时" before the deadline, "超期 1小时5分" after. */
export function countdown(dueAt: string, now: number): { text: string; overdue: boolean } {
  const diff = Date.parse(dueAt) - now;
  const overdue = diff < 0;
  let minutes = Math.floor(Math.abs(diff) / 60_000);
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  const parts = days > 0 ? [`${days}天`, `${hours}小时`] : hours > 0 ? [`${hours}小时`, `${minutes}分`] : [`${minutes}分`];
  return { text: `${overdue ? '超期' : '剩余'} ${parts.join('')}`, overdue };
}

export function formatDuration(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)}分`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)}小时`;
  return `${(seconds / 86400).toFixed(1)}天`;
}

export function formatYuan(n: number | undefined | null): string {
  return n === undefined || n === null ? '—' : `${n.toLocaleString('zh-CN')} 元`;
}

const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day in Asia/Shanghai as YYYY-MM-DD (a certificate's validity, a new plan's dates, a file's name). */
export function shanghaiDay(at = new Date()): string {
  return day.format(at);
}
