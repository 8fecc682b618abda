import { Column, Entity, PrimaryColumn } from 'typeorm';
import { delimitedList } from '../common/transformers';

/**
 * A ticket's topic keys, one narrow row per tagged ticket (no row = no topics), stored as ",a,b," like before.
 * Kept out of `tickets` so the quarterly run rewrites 40-byte rows instead of whole ticket rows (docs/BENCHMARKS.md,
 * "Topic tagging"); `Ticket.topics` reads it back through a correlated subquery.
 */
@Entity('ticket_topics')
export class TicketTopics {
  @PrimaryColumn({ type: 'integer' }) ticketId: number;
  @Column({ type: 'varchar', length: 255, transformer: delimitedList }) topics: string[];
}
