/**
 * Personal data masking, the one rule for every public or list output:
 * phone 13812345678 → 138****5678; name 王女士 → 王** (first character kept).
 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  const p = phone.replace(/\s+/g, '');
  if (p.length >= 7) return `${p.slice(0, 3)}****${p.slice(-4)}`;
  if (p.length <= 2) return '*'.repeat(p.length);
  return `${p.slice(0, 1)}${'*'.repeat(p.length - 1)}`;
}

export function maskName(name: string | null | undefined): string | null {
  if (!name) return name ?? null;
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}
