/** Chinese mail templates (HTML + plain text) for the leaders of the livestream and hotline duty. */
export type LeaderMailKind = 'invite' | 'update' | 'cancel' | 'remind24h' | 'remind1h';

export interface LeaderMailData {
  kind: LeaderMailKind;
  /** 直播 or 热线值守 */
  appointment: 'livestream' | 'duty';
  leaderName: string;
  leaderTitle: string;
  title: string;
  departmentName: string;
  startsAt: Date;
  endsAt: Date;
  description?: string | null;
  streamUrl?: string | null;
  consoleUrl: string;
}

const TZ_MS = 8 * 3600_000;
const WEEK = ['日', '一', '二', '三', '四', '五', '六'];

export function localTime(d: Date): string {
  const l = new Date(d.getTime() + TZ_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.getUTCFullYear()}年${l.getUTCMonth() + 1}月${l.getUTCDate()}日（星期${WEEK[l.getUTCDay()]}）${p(l.getUTCHours())}:${p(l.getUTCMinutes())}`;
}

function hhmm(d: Date): string {
  return new Date(d.getTime() + TZ_MS).toISOString().slice(11, 16);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const HEAD: Record<LeaderMailKind, string> = {
  invite: '邀请',
  update: '时间变更',
  cancel: '取消通知',
  remind24h: '明日提醒',
  remind1h: '一小时后开始',
};

export function renderLeaderMail(d: LeaderMailData): { subject: string; html: string; text: string } {
  const what = d.appointment === 'livestream' ? '政民互动直播' : '一把手接听12341热线';
  const when = `${localTime(d.startsAt)}–${hhmm(d.endsAt)}（北京时间）`;
  const intro: Record<LeaderMailKind, string> = {
    invite: `诚邀您参加${what}，具体安排如下，请预留时间。`,
    update: `您参加的${what}安排有变更，以下为最新安排，请更新日程。`,
    cancel: `您原定参加的${what}已取消（或您已不再参加），无需出席，日程已同步撤销。`,
    remind24h: `提醒：您参加的${what}将于明天开始。`,
    remind1h: `提醒：您参加的${what}将于一小时后开始，请提前到场准备。`,
  };
  const subject = `【${HEAD[d.kind]}】${what}：${d.title} ${localTime(d.startsAt)}`;
  const rows: Array<[string, string]> = [
    ['主题', d.title],
    ['时间', when],
    ['责任单位', d.departmentName],
    ...(d.description ? ([['内容', d.description]] as Array<[string, string]>) : []),
    ...(d.streamUrl ? ([['直播地址', d.streamUrl]] as Array<[string, string]>) : []),
  ];
  const greet = `${d.leaderName}${d.leaderTitle}：您好！`;
  const text = [greet, '', intro[d.kind], '', ...rows.map(([k, v]) => `${k}：${v}`), '', `工作台：${d.consoleUrl}`, '', '政民互动中心'].join('\n');
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(subject)}</title></head>
<body style="font-family:'PingFang SC','Microsoft YaHei',sans-serif;color:#222;line-height:1.6">
<p>${esc(greet)}</p><p>${esc(intro[d.kind])}</p>
<table style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><th style="text-align:left;padding:4px 12px 4px 0;color:#666">${esc(k)}</th><td style="padding:4px 0">${esc(v)}</td></tr>`).join('')}</table>
<p><a href="${esc(d.consoleUrl)}">进入工作台</a></p><p style="color:#888">政民互动中心</p></body></html>`;
  return { subject, html, text };
}
