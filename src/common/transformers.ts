import type { ValueTransformer } from 'typeorm';

/** string[] stored as ",a,b," so `LIKE '%,a,%'` finds a member on every engine. */
export const delimitedList: ValueTransformer = {
  to: (v: string[] | undefined | null) => (v && v.length ? `,${v.join(',')},` : ''),
  from: (v: string | string[] | null) => (Array.isArray(v) ? v : v ? v.split(',').filter(Boolean) : []),
};

/** JSON value in a text column. */
export const jsonText = <T>(fallback: T): ValueTransformer => ({
  to: (v: T | undefined | null) => JSON.stringify(v ?? fallback),
  from: (v: string | null) => {
    if (!v) return fallback;
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  },
});
