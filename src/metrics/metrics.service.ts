import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus registry and the counters other modules increment. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'hub_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({ name: 'hub_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [this.registry] });
  readonly importRows = new Counter({ name: 'hub_import_rows_total', help: 'Imported ticket rows by result', labelNames: ['result'], registers: [this.registry] });
  readonly imports = new Counter({ name: 'hub_imports_total', help: 'Ticket import requests', registers: [this.registry] });
  readonly mails = new Counter({ name: 'hub_mail_total', help: 'Mails by result', labelNames: ['result'], registers: [this.registry] });
  readonly socketEvents = new Counter({ name: 'hub_socket_events_total', help: 'socket.io client events by name and result', labelNames: ['event', 'ok'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hub_' });
  }
}
