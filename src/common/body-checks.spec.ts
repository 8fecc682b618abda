import { hasLoneSurrogate, hasReplacementChar, jsonDepth } from './body-checks';

describe('body checks', () => {
  it('measures JSON nesting outside strings', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":2}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('{"a":"[[[[{{{{\\"[["}'))).toBe(1);
    expect(jsonDepth(Buffer.from('['.repeat(10_000)), 32)).toBe(33);
    expect(jsonDepth(Buffer.from('12'))).toBe(0);
  });

  it('finds unpaired surrogates in values and keys, not in real astral characters', () => {
    expect(hasLoneSurrogate({ a: '𠀀😀', b: ['正常'] })).toBe(false);
    expect(hasLoneSurrogate({ a: 'x\ud800' })).toBe(true);
    expect(hasLoneSurrogate({ a: ['\udfff\ud800'] })).toBe(true);
    expect(hasLoneSurrogate({ ['k\udc00']: 1 })).toBe(true);
  });

  it('finds U+FFFD (what invalid UTF-8 decodes to) in values and keys', () => {
    expect(hasReplacementChar({ content: '路灯不亮' })).toBe(false);
    expect(hasReplacementChar({ content: '路灯\ufffd(' })).toBe(true);
    expect(hasReplacementChar({ ['caller\ufffdName']: 'x' })).toBe(true);
  });
});
