/**
 * Reproducible demo tickets in the style of the 12341 hotline: a seeded PRNG (mulberry32), templates per topic,
 * seasonal weights (heating in winter, noise and fumes in summer), one emerging theme that grows in the latest
 * quarter and fits no taxonomy topic (电动自行车充电), the 15 streets with their communities, statuses with replies
 * and satisfaction. Pure: no I/O, the same seed and `now` always give the same rows.
 */
import { localDate, quarterOf, quarterRange, previousQuarter } from '../calendar/quarter';
import type { Channel, Satisfaction, TicketStatus } from '../tickets/ticket.entity';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1][0];
  }
}

/** Street short names (as tickets carry them) with a few of their communities. */
export const DEMO_STREETS: ReadonlyArray<{ street: string; communities: string[]; roads: string[] }> = [
  { street: '西长安街', communities: ['府右街社区', '六部口社区', '西交民巷社区'], roads: ['府右街', '北新华街', '西交民巷'] },
  { street: '新街口', communities: ['西四北社区', '赵登禹路社区', '玉桃园社区'], roads: ['西四北大街', '赵登禹路', '新街口外大街'] },
  { street: '月坛', communities: ['三里河一区社区', '南沙沟社区', '白云观社区'], roads: ['三里河路', '月坛北街', '白云路'] },
  { street: '展览路', communities: ['百万庄社区', '车公庄社区', '文兴街社区'], roads: ['百万庄大街', '车公庄大街', '文兴街'] },
  { street: '德胜', communities: ['六铺炕社区', '新风社区', '黄寺社区'], roads: ['德胜门外大街', '六铺炕街', '黄寺大街'] },
  { street: '金融街', communities: ['丰盛社区', '太平桥社区', '二龙路社区'], roads: ['太平桥大街', '丰盛胡同', '二龙路'] },
  { street: '什刹海', communities: ['西海社区', '松树街社区', '兴华社区'], roads: ['德内大街', '松树街', '鼓楼西大街'] },
  { street: '大栅栏', communities: ['大栅栏西街社区', '延寿街社区', '石头社区'], roads: ['大栅栏西街', '延寿街', '煤市街'] },
  { street: '天桥', communities: ['永安路社区', '福长街社区', '香厂路社区'], roads: ['永安路', '福长街', '香厂路'] },
  { street: '椿树', communities: ['琉璃厂西街社区', '椿树园社区', '红线社区'], roads: ['琉璃厂西街', '椿树胡同', '宣武门外大街'] },
  { street: '陶然亭', communities: ['龙泉社区', '黑窑厂社区', '粉房琉璃街社区'], roads: ['太平街', '黑窑厂街', '粉房琉璃街'] },
  { street: '广安门内', communities: ['报国寺社区', '三庙社区', '长椿街社区'], roads: ['报国寺前街', '广安门内大街', '长椿街'] },
  { street: '牛街', communities: ['牛街西里一区社区', '南线阁社区', '枣林社区'], roads: ['牛街', '南线阁街', '枣林前街'] },
  { street: '白纸坊', communities: ['右内西街社区', '里仁街社区', '半步桥社区'], roads: ['右安门内大街', '里仁街', '半步桥街'] },
  { street: '广安门外', communities: ['红莲北里社区', '湾子街社区', '天宁寺社区'], roads: ['红莲南路', '湾子街', '广安门外大街'] },
];

interface Theme {
  /** Topic key of config/topics.json, or null for the emerging theme. */
  topic: string | null;
  category: string;
  departmentCode: string;
  /** Weight per calendar quarter 1..4 (seasonality). */
  season: [number, number, number, number];
  /** How hard it is to resolve (0..1): lowers closure and satisfaction. */
  difficulty: number;
  texts: string[];
  replies: string[];
}

// Slots: {c} community, {r} road, {n} a building number, {h} an hour, {d} a number of days.
const THEMES: Theme[] = [
  { topic: 'heating', category: '供暖', departmentCode: 'city', season: [5, 0.3, 0.1, 4], difficulty: 0.5,
    texts: ['{c}{n}号楼家中暖气不热，室温只有十四五度，老人孩子受不了，希望尽快解决。', '来电人反映{r}附近小区供暖已开始，但家里暖气片一直是凉的，物业说是管线问题，至今没人来修。', '{c}{n}号楼暖气漏水，已经滴到楼下邻居家，找供暖公司一直占线，请协调处理。', '反映{c}供暖温度不达标，屋里穿着棉衣还冷，要求供热单位上门测温。'],
    replies: ['经核实，供热单位已上门排查，系户内管线堵塞，已清洗完毕，室温恢复至19℃以上。', '已协调供热公司对楼内管线放气调试，来电人表示暖气已热。'] },
  { topic: 'property', category: '物业管理', departmentCode: 'realty', season: [1, 1, 1, 1], difficulty: 0.6,
    texts: ['{c}物业公司长期不作为，楼道灯坏了一个多月没人修，垃圾也不及时清运。', '反映{c}物业费上涨没有公示，也没有召开业主大会，居民不认可。', '{c}{n}号楼单元门门禁坏了半个月，物业一直推脱，外来人员随意进出。', '来电人称小区物业撤场后没有新物业接管，楼内卫生无人负责。'],
    replies: ['已约谈物业公司负责人，楼道照明已修复，并要求其公示收费标准。', '街道已协调物业服务企业于{d}日内完成门禁维修，后续纳入月度考核。'] },
  { topic: 'parking', category: '停车管理', departmentCode: 'city', season: [1, 1, 1, 1.1], difficulty: 0.55,
    texts: ['{r}路边停车乱收费，收费员不给票据，希望有关部门查处。', '{c}内外来车辆乱停乱放，堵住消防通道，居民出行困难。', '反映{r}附近居住停车位太少，晚上回家找不到地方停车，建议施划更多车位。', '{c}楼下长期停放僵尸车，占用车位多年，请予以清理。'],
    replies: ['已联系停车管理公司核查，收费员已按规定出具票据，并加强巡查。', '执法队已对违停车辆张贴告知书，僵尸车已拖移。'] },
  { topic: 'noise', category: '噪声扰民', departmentCode: 'env', season: [0.6, 1.2, 1.6, 0.8], difficulty: 0.45,
    texts: ['{r}一家酒吧每天营业到凌晨{h}点，音乐声很大，严重影响周边居民休息。', '{c}楼下广场舞音响声音太大，晚上九点以后还在跳，希望管一管。', '反映{r}沿街商户用喇叭叫卖，从早到晚循环播放，噪音扰民。', '{c}{n}号楼楼上住户装修，周末一大早就开始电钻施工。'],
    replies: ['执法人员现场检查，已责令商户降低音量并于晚十点前停止营业性音响。', '社区已与广场舞队伍协商，调整活动时间并限制音量。'] },
  { topic: 'construction', category: '施工扰民', departmentCode: 'housing', season: [0.5, 1.3, 1.4, 0.8], difficulty: 0.5,
    texts: ['{r}附近工地夜间施工，晚上{h}点还在打桩，没有看到夜间施工许可公示。', '反映{c}旁边的施工工地扬尘严重，没有苫盖，窗户都不敢开。', '{r}道路改造施工围挡占路，行人只能走机动车道，很不安全。'],
    replies: ['经查该工地未办理夜间施工许可，已责令停止夜间施工并立案处罚。', '已要求施工单位落实苫盖和洒水降尘措施，并加强巡查。'] },
  { topic: 'garbage', category: '垃圾分类', departmentCode: 'city', season: [1, 1.2, 1.3, 0.9], difficulty: 0.35,
    texts: ['{c}垃圾桶满了好几天没人清运，天热味道很大，招苍蝇。', '反映{c}垃圾分类桶站设在单元门口，异味影响居民生活，希望挪个位置。', '{r}沿街有人随意倾倒装修垃圾，堆了很长时间没人清理。'],
    replies: ['已协调环卫部门当日完成清运，并增加清运频次。', '社区已与居民协商，桶站迁移至小区西侧空地。'] },
  { topic: 'illegal_building', category: '违法建设', departmentCode: 'enforcement', season: [0.8, 1.2, 1.2, 0.9], difficulty: 0.75,
    texts: ['{c}{n}号楼一层住户私自扩建小院，占用公共绿地，请求核查拆除。', '反映{r}某平房院内正在加盖二层，施工噪音大，疑似违法建设。', '{c}楼顶有人私搭彩钢板房，存在安全隐患。'],
    replies: ['执法队已现场核查，认定为违法建设，已下达限期拆除通知书。', '经核实，该建筑已列入拆违计划，将于本季度内依法拆除。'] },
  { topic: 'old_community', category: '老旧小区改造', departmentCode: 'housing', season: [1, 1.1, 1.1, 0.9], difficulty: 0.7,
    texts: ['{c}列入老旧小区综合整治，但外墙保温施工拖了半年还没完工。', '询问{c}什么时候能纳入老旧小区改造，楼内上下水管线老化严重。', '反映{c}改造后楼道墙皮脱落，质量有问题，要求返修。'],
    replies: ['已督促施工单位制定完工计划，预计下月底完成外墙施工。', '该小区已纳入明年改造计划，届时将同步更换上下水管线。'] },
  { topic: 'elevator', category: '加装电梯', departmentCode: 'housing', season: [1, 1, 1, 1], difficulty: 0.8,
    texts: ['{c}{n}号楼想加装电梯，一层住户不同意，希望街道帮助协调。', '咨询老楼加装电梯的补贴政策和申请流程。', '反映{c}已加装的电梯经常停运，维保单位响应慢，老人上下楼困难。'],
    replies: ['街道已组织居民议事会协商加装电梯事宜，并解读补贴政策。', '已联系维保单位检修电梯，恢复运行，并要求缩短响应时间。'] },
  { topic: 'street_vending', category: '无照经营', departmentCode: 'enforcement', season: [0.7, 1.3, 1.4, 0.8], difficulty: 0.4,
    texts: ['{r}地铁口每天晚上有流动摊贩占道经营，行人通行困难。', '反映{r}有商户店外经营，桌椅摆到人行道上。', '{c}门口早点摊占道，油烟和垃圾影响环境。'],
    replies: ['城管执法队已加强该点位巡查，清理占道摊贩。', '已责令商户将店外桌椅收回，并纳入重点点位管理。'] },
  { topic: 'catering_fumes', category: '餐饮油烟', departmentCode: 'env', season: [0.8, 1.2, 1.4, 0.9], difficulty: 0.5,
    texts: ['{r}一家烧烤店油烟直排，住在楼上窗户都不敢开。', '反映{c}底商餐馆排烟管道正对居民窗户，油烟和噪音扰民。', '{r}饭馆没有安装油烟净化设备，晚上烟味很大。'],
    replies: ['经检查该店油烟净化设施未正常运行，已责令整改并复查合格。', '已要求餐馆调整排烟口方向并加装净化设备。'] },
  { topic: 'food_safety', category: '食品安全', departmentCode: 'fda', season: [1, 1.1, 1.3, 1], difficulty: 0.4,
    texts: ['在{r}一家超市买到过期的酸奶，商家拒绝退换，要求查处。', '反映{r}一家外卖店后厨卫生很差，吃完后腹泻。', '{c}附近早点铺没有健康证，操作不规范。'],
    replies: ['市场监管所已现场检查，对过期食品予以下架并立案调查。', '已约谈商户负责人，督促其办理健康证并规范操作。'] },
  { topic: 'gas', category: '燃气安全', departmentCode: 'safety', season: [1.3, 0.8, 0.7, 1.2], difficulty: 0.4,
    texts: ['{c}{n}号楼楼道里有燃气味，担心有泄漏，请尽快派人检查。', '反映{r}餐馆违规使用液化气罐，存在安全隐患。', '咨询{c}燃气表更换的费用由谁承担。'],
    replies: ['燃气公司已上门检测，系阀门老化，已更换，无泄漏风险。', '已联合检查该餐馆，责令停用液化气罐。'] },
  { topic: 'water', category: '供水排水', departmentCode: 'city', season: [0.9, 1.1, 1.5, 0.8], difficulty: 0.45,
    texts: ['{c}停水一整天，没有提前通知，居民生活受影响。', '反映{r}雨后路面积水严重，雨水篦子堵塞。', '{c}{n}号楼自来水发黄，有异味，担心水质问题。'],
    replies: ['自来水公司已抢修管线并恢复供水，今后停水将提前公告。', '排水集团已疏通雨水口，积水已排除。'] },
  { topic: 'school_enrollment', category: '入学入园', departmentCode: 'edu', season: [0.8, 1.8, 1.3, 0.5], difficulty: 0.6,
    texts: ['咨询孩子今年上小学的入学登记时间和需要准备的材料。', '反映{c}片区划片学校调整，没有提前告知家长，要求解释。', '孩子户籍在外区，在{street}租房居住，咨询能否在本区就读。'],
    replies: ['已电话告知来电人入学登记时间及所需材料。', '教委已答复片区调整依据，并告知可申请的统筹渠道。'] },
  { topic: 'social_insurance', category: '社保医保', departmentCode: 'hrss', season: [1.2, 1, 1, 1], difficulty: 0.35,
    texts: ['咨询灵活就业人员缴纳社保的标准和办理地点。', '反映单位拖欠缴纳社保三个月，要求查处。', '异地就医备案办理不成功，咨询原因。'],
    replies: ['已告知来电人灵活就业参保办理流程。', '劳动监察已受理，责令该单位限期补缴。'] },
  { topic: 'elderly_care', category: '养老服务', departmentCode: 'civil', season: [1.1, 1, 1, 1.1], difficulty: 0.5,
    texts: ['{c}的养老驿站关门了，老人吃饭没地方去，希望恢复助餐服务。', '咨询高龄津贴的申领条件和办理流程。', '反映家中独居老人需要上门助浴服务，不知道找谁。'],
    replies: ['街道已协调另一家养老驿站提供助餐服务。', '已告知高龄津贴申领条件，可在社区服务站办理。'] },
  { topic: 'employment', category: '就业创业', departmentCode: 'hrss', season: [1.3, 1.1, 0.9, 0.9], difficulty: 0.4,
    texts: ['应届毕业生咨询就业报到和档案转递的手续。', '反映在{r}一家公司工作两个月工资没发，老板联系不上。', '咨询失业登记和领取失业金的条件。'],
    replies: ['已告知报到手续及档案转递流程。', '劳动监察大队已立案调查，督促企业支付工资。'] },
  { topic: 'shared_bikes', category: '共享单车', departmentCode: 'city', season: [0.7, 1.3, 1.3, 0.8], difficulty: 0.3,
    texts: ['{r}地铁口共享单车堆积如山，挡住盲道和出入口。', '反映{c}门口共享单车乱停，影响消防车通行。'],
    replies: ['已通知运营企业清理调运单车，并设置电子围栏。'] },
  { topic: 'greening', category: '园林绿化', departmentCode: 'greening', season: [0.6, 1.4, 1.2, 0.9], difficulty: 0.3,
    texts: ['{c}楼前的大树枝杈伸到窗户里，挡光还招虫子，希望修剪。', '反映{r}绿地里杂草丛生，好久没人养护。', '{c}树上有杨柳絮，过敏严重，咨询治理措施。'],
    replies: ['园林部门已对树木进行修剪。', '已安排养护单位清理杂草，纳入日常养护。'] },
  { topic: null, category: '治安', departmentCode: 'police', season: [1, 1, 1.1, 1], difficulty: 0.35,
    texts: ['{c}楼道里经常有陌生人张贴小广告，担心安全。', '反映{r}夜间有人飙车，噪声大也不安全。'],
    replies: ['派出所已加强夜间巡逻。'] },
  { topic: null, category: '商业网点', departmentCode: 'commerce', season: [1, 1, 1, 1], difficulty: 0.45,
    texts: ['{c}附近的菜市场拆了，买菜要走很远，希望增设便民菜店。', '反映{r}附近缺少便利店和早餐店。'],
    replies: ['商务委已将该区域纳入便民网点补建计划。'] },
];

/** Not in the taxonomy; grows in the latest quarter so the topic pipeline can find it as emerging. */
const EMERGING: Theme = {
  topic: null, category: '消防安全', departmentCode: 'safety', season: [1, 1, 1, 1], difficulty: 0.55,
  texts: ['{c}{n}号楼有居民把电动自行车推进楼道充电，飞线充电很危险，请求处理。', '反映{c}没有电动自行车集中充电桩，大家只能在楼道里充电。', '{c}电动自行车充电棚坏了，充电桩不能用，居民只好私拉电线充电。', '咨询{street}街道什么时候安装电动自行车充电桩，楼道充电存在火灾隐患。'],
  replies: ['街道已联系企业在小区内建设电动自行车集中充电设施，并清理楼道充电车辆。', '社区已开展消防安全宣传，劝导居民不在楼道充电。'],
};

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '郑'];
const SUFFIX = ['女士', '先生', '女士', '先生', '阿姨', '大爷'];
const CHANNEL_WEIGHTS: ReadonlyArray<readonly [Channel, number]> = [['phone', 70], ['web', 10], ['wechat', 12], ['app', 6], ['email', 2]];
const PREFIXES = ['13', '15', '18', '17', '19', '16'];

export interface DemoTicket {
  ticketNo: string;
  receivedAt: Date;
  quarter: string;
  channel: Channel;
  callerName: string | null;
  callerPhone: string;
  street: string;
  community: string;
  address: string;
  content: string;
  category: string;
  departmentCode: string | null;
  status: TicketStatus;
  reply: string | null;
  repliedAt: Date | null;
  firstDispatchedAt: Date | null;
  closedAt: Date | null;
  satisfaction: Satisfaction | null;
  /** Topic the generator wrote it from (null for the emerging theme); not stored. */
  themeTopic: string | null;
}

function fill(tpl: string, rng: Rng, place: { street: string; community: string; road: string }): string {
  return tpl
    .replace(/\{c\}/g, place.community)
    .replace(/\{r\}/g, place.road)
    .replace(/\{street\}/g, place.street)
    .replace(/\{n\}/g, String(rng.int(1, 24)))
    .replace(/\{h\}/g, String(rng.int(1, 3)))
    .replace(/\{d\}/g, String(rng.int(3, 10)));
}

/** The `count` quarters ending with the one `now` is in, oldest first. */
export function demoQuarters(now: Date, count: number): string[] {
  const qs = [quarterOf(now)];
  while (qs.length < count) qs.unshift(previousQuarter(qs[0]));
  return qs;
}

/**
 * `total` tickets over the `quarters` quarters up to `now` (the current quarter only up to `now`), oldest first.
 * Volumes grow a little each quarter; each street leans toward a few themes so "topics by street" has a shape.
 */
export function generateDemoTickets(opts: { seed: number; now: Date; total: number; quarters: number }): DemoTicket[] {
  const rng = new Rng(opts.seed);
  const qs = demoQuarters(opts.now, opts.quarters);
  const spans = qs.map((q) => {
    const r = quarterRange(q);
    const to = Math.min(r.to.getTime(), opts.now.getTime() - 60_000);
    return { q, from: r.from.getTime(), to, weight: (to - r.from.getTime()) / (r.to.getTime() - r.from.getTime()) };
  });
  // Each street has two favourite themes (stable for the seed).
  const streetBias = DEMO_STREETS.map(() => [rng.int(0, THEMES.length - 1), rng.int(0, THEMES.length - 1)]);
  const out: DemoTicket[] = [];
  const perQuarter = spans.map((s, i) => s.weight * (1 + 0.08 * i));
  const sumW = perQuarter.reduce((a, b) => a + b, 0);
  let seq = 0;
  spans.forEach((s, qi) => {
    const n = Math.round((opts.total * perQuarter[qi]) / sumW);
    const month = Number(localDate(new Date(s.from)).slice(5, 7));
    const season = Math.floor((month - 1) / 3);
    const latest = qi === spans.length - 1;
    for (let i = 0; i < n; i++) {
      const at = new Date(s.from + Math.floor(rng.float() * (s.to - s.from)));
      const si = rng.int(0, DEMO_STREETS.length - 1);
      const place = DEMO_STREETS[si];
      const emergingShare = latest ? 0.07 : qi === spans.length - 2 ? 0.012 : 0.004;
      let theme: Theme;
      if (rng.chance(emergingShare)) theme = EMERGING;
      else if (rng.chance(0.25)) theme = THEMES[rng.pick(streetBias[si])];
      else theme = rng.weighted(THEMES.map((t) => [t, t.season[season]] as const));
      const community = rng.pick(place.communities);
      const road = rng.pick(place.roads);
      const content = fill(rng.pick(theme.texts), rng, { street: place.street, community, road });
      const ageDays = (opts.now.getTime() - at.getTime()) / 86_400_000;
      // Older tickets are mostly finished; hard themes stay open longer.
      const progress = Math.min(1, ageDays / 20) * (1 - theme.difficulty * 0.25) + rng.float() * 0.15;
      const status: TicketStatus =
        progress > 0.8 ? (rng.chance(0.92) ? 'closed' : 'replied') : progress > 0.55 ? 'replied' : progress > 0.3 ? 'in_progress' : progress > 0.12 ? 'dispatched' : 'received';
      const dispatched = status !== 'received';
      const firstDispatchedAt = dispatched ? new Date(at.getTime() + rng.int(10, theme.difficulty > 0.6 ? 40 : 26) * 3600_000 * rng.float()) : null;
      const replied = status === 'replied' || status === 'closed';
      const repliedAt = replied ? new Date(at.getTime() + rng.int(1, 12) * 86_400_000 * (0.5 + theme.difficulty)) : null;
      const closedAt = status === 'closed' && repliedAt ? new Date(repliedAt.getTime() + rng.int(1, 3) * 86_400_000) : null;
      let satisfaction: Satisfaction | null = null;
      if (status === 'closed') {
        const d = theme.difficulty;
        satisfaction = rng.weighted([['satisfied', 1 - d * 0.6], ['basically_satisfied', 0.25], ['dissatisfied', 0.05 + d * 0.25]] as const);
      }
      const fix = (d: Date | null) => (d && d.getTime() > opts.now.getTime() ? new Date(opts.now.getTime() - 60_000) : d);
      seq++;
      out.push({
        ticketNo: `DEMO${localDate(at).replace(/-/g, '')}${String(seq).padStart(6, '0')}`,
        receivedAt: at,
        quarter: s.q,
        channel: rng.weighted(CHANNEL_WEIGHTS),
        callerName: rng.chance(0.85) ? rng.pick(SURNAMES) + rng.pick(SUFFIX) : null,
        callerPhone: rng.pick(PREFIXES) + String(rng.int(100000000, 999999999)),
        street: place.street,
        community,
        address: `${road}${rng.int(1, 120)}号`,
        content,
        category: theme.category,
        departmentCode: dispatched ? (rng.chance(0.9) ? theme.departmentCode : rng.pick(['city', 'enforcement', 'realty', 'housing'])) : null,
        status,
        reply: replied ? fill(rng.pick(theme.replies), rng, { street: place.street, community, road }) : null,
        repliedAt: fix(repliedAt),
        firstDispatchedAt: fix(firstDispatchedAt),
        closedAt: fix(closedAt),
        satisfaction,
        themeTopic: theme.topic,
      });
    }
  });
  out.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  return out;
}
