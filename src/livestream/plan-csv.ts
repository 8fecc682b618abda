import { parse } from 'csv-parse/sync';

/** Header names accepted in a plan CSV (English field names or the usual Chinese ones). */
const HEADERS: Record<string, string> = {
  title: 'title', 标题: 'title', 主题: 'title', 直播主题: 'title',
  departmentcode: 'departmentCode', department: 'departmentCode', 责任单位: 'departmentCode', 部门: 'departmentCode', 单位: 'departmentCode',
  startsat: 'startsAt', 开始时间: 'startsAt', 开始: 'startsAt',
  endsat: 'endsAt', 结束时间: 'endsAt', 结束: 'endsAt',
  topickeys: 'topicKeys', 话题: 'topicKeys', topics: 'topicKeys',
  leaderids: 'leaderIds', 领导: 'leaderIds', leaders: 'leaderIds', leaderid: 'leaderId', 领导编号: 'leaderId',
  description: 'description', 说明: 'description', 内容: 'description',
  streamurl: 'streamUrl', 直播地址: 'streamUrl',
};

/** CSV text (header row; UTF-8, BOM allowed) → plan rows as objects; throws with a message on broken CSV. */
export function parsePlanCsv(text: string): Array<Record<string, string>> {
  return parse(text, {
    bom: true,
    columns: (header: string[]) => header.map((h) => HEADERS[h.trim().toLowerCase()] ?? HEADERS[h.trim()] ?? h.trim()),
    skip_empty_lines: true,
    trim: true,
    relax_column_count: true,
  }) as Array<Record<string, string>>;
}
