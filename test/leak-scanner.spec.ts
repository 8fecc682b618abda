import { findLeaks, findPhones, isScannableName, LeakRecorder, NameIndex } from './utils/leaks';

describe('personal-data leak scanner (used by every e2e suite through bootApp)', () => {
  it('finds 11-digit mobile numbers, not masked ones or longer digit runs', () => {
    expect(findPhones('{"phone":"13912345678"}')).toEqual(['13912345678']);
    expect(findPhones('call 13912345678, or 15800001111.')).toEqual(['13912345678', '15800001111']);
    expect(findPhones('139****5678 12345678901 1391234567 139123456789 1764412345678 010-66012345')).toEqual([]);
  });

  it('looks only for names specific enough to mean a person', () => {
    for (const n of ['王小明', '欧阳·娜娜', ' 李建国 ', 'Zhang Wei', "Mary O'Neil"]) expect(isScannableName(n)).toBe(true);
    for (const n of ['王', '王**', 'a', 'id', 'Wei', 'ab c', '', '1234 5678']) expect(isScannableName(n)).toBe(false);
  });

  it('finds stored full names anywhere in a text, and only full names', () => {
    const names = new NameIndex();
    for (const n of ['王小明', '王小', '李建国', 'Zhang Wei', 'x', null, 42]) names.add(n);
    expect(names.size).toBe(4);
    expect(names.find('{"applicantName":"王**","text":"李建国反映路灯不亮"}')).toEqual(['李建国']);
    expect(names.find('王小明').sort()).toEqual(['王小', '王小明']);
    expect(names.find('caller Zhang Wei called')).toEqual(['Zhang Wei']);
    expect(names.find('{"callerName":"王**","nickname":"Zhang W."}')).toEqual([]);
  });

  it('reports where a leak was found, masked, and counts what it saw', () => {
    const r = new LeakRecorder();
    r.record('rest', 'anonymous GET /x → 200', '{"callerName":"王**","callerPhone":"139****5678"}');
    r.record('socket', 'anonymous socket /window', '42/window,["application:status",{"applicantName":"赵小红","phone":"13912345678"}]');
    // a name stored after the packet was seen is still found: the name scan runs at the end
    r.names.add('赵小红');
    expect(r.stats).toEqual({ restAnswers: 1, socketPackets: 1 });
    expect(r.leaks()).toEqual([
      { where: 'anonymous socket /window', kind: 'phone', sample: '139****5678' },
      { where: 'anonymous socket /window', kind: 'name', sample: '赵**' },
    ]);
    expect(findLeaks('log', 'user 7 logged in', r.names)).toEqual([]);
  });
});
