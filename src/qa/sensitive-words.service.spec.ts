import { Mint } from 'mint-filter';
import { normalizeForMatch, parseWordList, SensitiveWordsService } from './sensitive-words.service';

describe('sensitive words', () => {
  const svc = new SensitiveWordsService();
  svc.use(parseWordList('# comment\n法轮功\n赌博网站\nFuck\n\n'));

  it('finds listed words however they are disguised', () => {
    for (const t of ['法轮功', '我想问法 轮 功的事', '法.轮.功', '法，轮、功', '法\u200b轮\u200d功', '法\u3000轮\u3000功', '赌-博-网-站', 'ＦＵＣＫ', 'f u c k', 'F*u*C*k', '法_轮_功']) {
      expect([t, svc.contains(t)]).toEqual([t, true]);
    }
  });

  it('lets ordinary questions through', () => {
    for (const t of ['小区供暖什么时候开始？', '老旧小区加装电梯的补贴怎么申请', '<script>alert(1)</script>', '']) expect(svc.contains(t)).toBe(false);
  });

  it('normalizes full-width letters, case and noise the same way for words and texts', () => {
    expect(normalizeForMatch('Ａ　Ｂ，c！')).toBe('abc');
    expect(parseWordList('A B\n#x\nab')).toEqual(['ab']);
    expect(new Mint(parseWordList('a b')).verify('xaby')).toBe(false);
  });
});
