import { findEmerging } from './emerging';
import { splitClauses, topicModel } from './topic-model';
import { toCsv } from './report';

describe('TopicModel', () => {
  const m = topicModel();

  it.each([
    ['暖气片冰凉，屋里才十几度', ['heating']],
    ['物业费年年涨，服务却越来越差', ['property']],
    ['有辆车在消防通道上停了半个月', ['parking']],
    ['对面KTV每天唱到后半夜，根本睡不着', ['noise']],
    ['旁边工地连夜赶工，渣土车来回跑', ['construction']],
    ['垃圾站一周没人清运，臭味熏天', ['garbage']],
    ['楼顶有人私搭彩钢板房', ['illegal_building']],
    ['老旧小区改造迟迟不开工', ['old_community']],
    ['电梯三天两头故障停运，老人下不了楼', ['elevator']],
    ['路口有游商推车售卖水果', ['street_vending']],
    ['楼下饭店油烟直接排进我家窗户', ['catering_fumes']],
    ['在超市买的牛奶过期了还在卖', ['food_safety']],
    ['厨房燃气灶总闻到一股煤气味', ['gas']],
    ['小区停水两天了也没人通知', ['water']],
    ['孩子上小学的入学登记怎么办理', ['school_enrollment']],
    ['医保卡报销比例是多少', ['social_insurance']],
    ['社区养老驿站收费太贵', ['elderly_care']],
    ['老板拖欠工资三个月不给', ['employment']],
    ['共享单车堆在盲道上', ['shared_bikes']],
    ['小区的树枝太长挡住窗户，申请修剪', ['greening']],
  ])('tags "%s" as %j', (text, want) => {
    expect(m.tag(text)).toEqual(want);
  });

  it('gives a ticket with two matters two topics and a thank-you none', () => {
    expect(m.tag('家中暖气不热；另外，楼下商贩占道经营').sort()).toEqual(['heating', 'street_vending']);
    expect(m.tag('感谢社区工作人员的耐心服务')).toEqual([]);
    expect(m.tag('')).toEqual([]);
  });

  it('splits clauses on sentence ends and connectors, not on commas', () => {
    expect(splitClauses('工地夜间施工，严重扰民；另外，垃圾没人清运。')).toEqual(['工地夜间施工，严重扰民', '垃圾没人清运']);
    expect(splitClauses('还有就是：暖气不热！！再就是\u3000电梯坏了 ')).toEqual(['暖气不热', '电梯坏了']);
  });

  it('finds the same clauses as the boundary rule written as a regular expression, on random texts', () => {
    // the documented rule (docs/TOPICS.md): a run of 。；;！!？?\n, or a connector and the commas/colons after it;
    // pieces trimmed, shorter than 2 characters dropped. The scanner must agree with it on any text.
    const rule = /[。；;！!？?\n]+|(?:另外|此外|还有就是|还有|同时还|再有|再就是)[，,、：:]*/;
    const bySplit = (t: string) => t.split(rule).map((x) => x.trim()).filter((x) => x.length >= 2);
    const parts = ['。', '；', ';', '！', '!', '？', '?', '\n', '\r', '另外', '此外', '还有就是', '还有', '同时还', '再有', '再就是', '还', '再', '就是', '，', ',', '、', '：', ':', ' ', '\u3000', '\t', '暖气', '不热', 'a', '😀'];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let k = 0; k < 20000; k++) {
      let t = '';
      for (let i = rnd(14); i > 0; i--) t += parts[rnd(parts.length)];
      expect([t, splitClauses(t)]).toEqual([t, bySplit(t)]);
    }
  });

  it('suggests the responsible department first with confidences in (0,1]', () => {
    const s = m.suggest('楼道里闻到燃气味，担心泄漏');
    expect(s.topics[0].key).toBe('gas');
    expect(s.departments[0]).toMatchObject({ code: 'safety', name: '区安全监管局' });
    for (const x of [...s.topics, ...s.departments]) expect(x.confidence).toBeGreaterThan(0), expect(x.confidence).toBeLessThanOrEqual(1);
    expect(m.suggest('你好').topics).toEqual([]);
    expect(m.suggest('你好').departments).toEqual([]);
    expect(m.suggest('想找城管反映个事情').departments[0]).toMatchObject({ code: 'enforcement', name: '区城管执法监察局' });
  });
});

describe('resemblesTaxonomy', () => {
  it('recognises a taxonomy topic under other words, not a new matter', () => {
    const m = topicModel();
    expect(m.resemblesTaxonomy(['暖气', '冰凉'])).toBe(true);
    expect(m.resemblesTaxonomy(['电动自行车', '充电', '充电桩'])).toBe(false);
    expect(m.resemblesTaxonomy(['快递', '包裹', '丢件'])).toBe(false);
  });
});

describe('findEmerging', () => {
  const docs = (n: number, tokens: string[], from = 1) => Array.from({ length: n }, (_, i) => ({ ticketId: from + i, tokens }));
  const opts = { minSize: 5, minGrowth: 0.2, maxClusters: 5, isTaxonomy: (w: string[]) => w.includes('暖气') };

  it('reports a grown cluster with its words and count, skips shrinking and taxonomy-like clusters', () => {
    const cur = [...docs(30, ['快递柜', '包裹', '丢件']), ...docs(8, ['广告', '传单'], 100), ...docs(9, ['暖气', '冰凉'], 200)];
    const prev = [...docs(3, ['快递柜', '包裹']), ...docs(20, ['广告', '传单'], 100)];
    const out = findEmerging(cur, prev, opts);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ count: 30, previousCount: 3, growth: 9 });
    expect(out[0].keywords).toEqual(expect.arrayContaining(['快递柜', '包裹']));
    expect(out[0].key).toMatch(/^emerging:[0-9a-f]{8}$/);
  });
});

describe('toCsv', () => {
  it('starts with a BOM, quotes commas and neutralises formulas', () => {
    const csv = toCsv('2026Q3', [
      { key: 'noise', label: '噪音,扰民', kind: 'taxonomy', keywords: ['=cmd'], ticketCount: 1, share: 1, previousCount: 0, growth: 1, heatScore: 1, difficultyScore: 0, unresolvedRate: 0, dissatisfiedRate: 0, repeatRate: 0, reopenedRate: 0, overdueRate: 0, distinctCallers: 1, streetCount: 1, topStreets: [{ street: '德胜', count: 1 }], topDepartments: [], sampleTicketIds: [1] },
    ]);
    expect(csv.startsWith('\uFEFFquarter,key,label')).toBe(true);
    expect(csv).toContain('"噪音,扰民"');
    expect(csv).toContain("'=cmd");
    expect(csv).toContain('德胜:1');
  });
});

describe('buildRows', () => {
  it('computes rates and sorts by heat (volume first, growth lifts)', async () => {
    const { TopicAccumulator, buildRows } = await import('./report');
    const now = new Date('2026-10-01T00:00:00Z');
    const mk = (n: number, extra: Record<string, unknown> = {}) => {
      const a = new TopicAccumulator();
      for (let i = 0; i < n; i++)
        a.add({ id: i + 1, callerPhone: `1390000${String(i).padStart(4, '0')}`, street: ['德胜', '月坛'][i % 2], departmentCode: 'city', status: i % 2 ? 'closed' : 'replied', satisfaction: i % 4 === 1 ? 'dissatisfied' : i % 2 ? 'satisfied' : null, repeatOf: i === 0 ? 99 : null, reopenCount: 0, dueAt: new Date('2026-09-01T00:00:00Z'), repliedAt: null, closedAt: null, ...extra }, now);
      return a;
    };
    const rows = buildRows(
      [
        { key: 'a', label: 'A', kind: 'taxonomy', keywords: [], acc: mk(10), previousCount: 10 },
        { key: 'b', label: 'B', kind: 'taxonomy', keywords: [], acc: mk(40), previousCount: 80 },
        { key: 'c', label: 'C', kind: 'taxonomy', keywords: [], acc: mk(0), previousCount: 5 },
      ],
      50,
      2,
    );
    expect(rows.map((r) => r.key)).toEqual(['b', 'a']);
    const a = rows[1];
    expect(a).toMatchObject({ ticketCount: 10, share: 0.2, growth: 0, unresolvedRate: 0.8, repeatRate: 0.1, overdueRate: 1, streetCount: 2 });
    expect(a.dissatisfiedRate).toBeCloseTo(3 / 5, 3);
    expect(a.topStreets).toEqual([{ street: '德胜', count: 5 }, { street: '月坛', count: 5 }]);
    expect(rows[0].growth).toBe(-0.5);
  });
});
