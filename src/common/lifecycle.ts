/**
 * Process-wide shutdown state. `draining` is set when a stop signal arrives: the server keeps serving for
 * SHUTDOWN_DRAIN_MS while `/health/ready` answers 503, so a load balancer stops sending before the listener closes.
 */
export const lifecycle = { draining: false };
