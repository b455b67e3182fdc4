import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../delivery/events';
import { DELIVERY_STATUSES } from '../../delivery/subscriptions';

/** The shapes of the webhook subscription API (api/routes/webhooks.ts), shared with the console's types. */

export const endpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).describe('empty: every event type'),
    countyCode: z.string().nullable(),
    townshipCodes: z.array(z.string()).nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    ownerSub: z.string(),
    ownerRole: z.enum(['admin', 'upstream']),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('webhook endpoint');
export type WebhookEndpoint = z.infer<typeof endpointSchema>;

export const createBodySchema = z
  .object({
    url: z.string().min(1).max(2000),
    description: z.string().max(500).optional(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).max(WEBHOOK_EVENT_TYPES.length).default([]),
    countyCode: z.string().min(1).optional(),
    townshipCodes: z.array(z.string().min(1)).min(1).max(200).optional(),
  })
  .strict();
export type WebhookEndpointInput = z.input<typeof createBodySchema>;

export const deliverySchema = z.object({
  id: z.string(),
  messageId: z.string().describe('the webhook-id header'),
  endpointId: z.string(),
  eventType: z.string(),
  caseId: z.string(),
  seq: z.number().int(),
  status: z.enum(DELIVERY_STATUSES).describe('dead: a dead letter (retries exhausted or the endpoint answered 410)'),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  payload: z.unknown(),
});
export type WebhookDelivery = z.infer<typeof deliverySchema>;

export const messagesQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  endpointId: z.string().min(1).optional(),
  caseId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d+$/, 'a cursor from nextCursor').optional(),
});
