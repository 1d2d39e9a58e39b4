import type { Handler } from '../dispatcher.js';

export const handleMetrics: Handler<'metrics'> = async (_body, { daemon }) => ({ text: await daemon.metrics.text() });
