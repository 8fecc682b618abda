/**
 * Narrow interfaces one module offers another, bound to DI tokens so neither imports the other's internals.
 * Providers: TopicsModule → DISPATCH_SUGGESTER; LivestreamModule → DUTY_LOOKUP. Consumers inject with @Optional().
 */
export interface DispatchSuggestion {
  topics: Array<{ key: string; label: string; confidence: number }>;
  departments: Array<{ code: string; name: string; confidence: number }>;
}

export interface DispatchSuggester {
  /** Ranked topics and departments for a ticket text (fast: in memory, no I/O). */
  suggest(content: string): DispatchSuggestion;
  /** Topic keys a ticket text carries (same model as the quarterly run). */
  tag(content: string): string[];
}
export const DISPATCH_SUGGESTER = Symbol('DISPATCH_SUGGESTER');

export interface DutyLookup {
  /** The leader on hotline duty at `at`, if any. */
  leaderOnDutyAt(at: Date): Promise<{ leaderId: number } | null>;
}
export const DUTY_LOOKUP = Symbol('DUTY_LOOKUP');
