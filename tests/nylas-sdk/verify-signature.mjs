// Checks a webhook notification the way a Nylas Node SDK v6 (nylas@6.11.1) user does:
// WebhookNotification.verifyWebhookSignature(signature, rawBody, secret), then WebhookNotification.fromJSON.
//
// Run:  node verify-signature.mjs <body-file> <signature> [client-secret]
//       (the secret defaults to $OUTBOX_CLIENT_SECRET)
// Exit: 0 when the signature is valid, 1 when it is not, 2 on a usage error.
// Out:  one JSON line with what the SDK read from the notification (type, date, accountId, jobStatusId, …).

import { readFileSync } from 'node:fs';
import webhookNotificationModule from 'nylas/lib/models/webhook-notification.js';

// A CommonJS module whose class is its `default` export: ESM sees it under module.exports.default.
const WebhookNotification = webhookNotificationModule.default;

const [bodyFile, signature, secretArgument] = process.argv.slice(2);
const secret = secretArgument ?? process.env.OUTBOX_CLIENT_SECRET;
if (!bodyFile || !signature || !secret) {
  console.error('usage: node verify-signature.mjs <body-file> <signature> [client-secret]  (or OUTBOX_CLIENT_SECRET)');
  process.exit(2);
}

// The exact bytes that were posted: the signature covers them, not a re-serialisation.
const rawBody = readFileSync(bodyFile);
const valid = WebhookNotification.verifyWebhookSignature(signature, rawBody, secret);

const notification = new WebhookNotification().fromJSON(JSON.parse(rawBody.toString('utf8')));
const delta = notification.deltas[0];
const data = delta?.objectData;
const attributes = data?.objectAttributes;
console.log(JSON.stringify({
  valid,
  type: delta?.type,
  date: delta?.date instanceof Date ? delta.date.toISOString() : null,
  object: delta?.object,
  accountId: data?.accountId,
  namespaceId: data?.namespaceId,
  id: data?.id,
  action: attributes?.action,
  jobStatusId: attributes?.jobStatusId,
  messageId: attributes?.messageId,
  reason: attributes?.extras?.reason,
  metadataMessageId: data?.metadata?.messageId,
}));
process.exit(valid ? 0 : 1);
