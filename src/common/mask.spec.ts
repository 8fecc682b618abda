import { maskName, maskPhone } from './mask';

describe('masking personal data', () => {
  it('keeps the first 3 and last 4 digits of a phone', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('010-66012341')).toBe('010****2341');
    expect(maskPhone(null)).toBeNull();
  });
  it('keeps only the first character of a name', () => {
    expect(maskName('王女士')).toBe('王**');
    expect(maskName('欧阳明')).toBe('欧**');
    expect(maskName('李')).toBe('李*');
    expect(maskName('𠀀先生')).toBe('𠀀**');
  });
});
