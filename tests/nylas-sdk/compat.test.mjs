// Wire-compatibility test: drives a running Outbox.Bus API through the official Nylas Node SDK
// (nylas@6.11.1) and checks that every call the SDK makes is understood and every response is
// parsed into the values a Nylas v2 client expects.
//
// Run:  node --test tests/nylas-sdk/compat.test.mjs   (after `npm ci` in tests/nylas-sdk)
// Env:  OUTBOX_API_SERVER, OUTBOX_CLIENT_ID, OUTBOX_CLIENT_SECRET,
//       OUTBOX_SMTP_HOST, OUTBOX_SMTP_PORT, OUTBOX_ACCOUNT_EMAIL, OUTBOX_SENDGRID_KEY
//
// The steps are top-level tests that run in order and share `state`. A step whose prerequisite
// failed is skipped (the failing step is the one to look at). The contract these assertions rest
// on is written down in /work/notes/nylas-sdk-contract.md.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Nylas from 'nylas';

// ---------------------------------------------------------------------------------------------
// configuration

const REQUIRED_ENV = [
  'OUTBOX_API_SERVER',
  'OUTBOX_CLIENT_ID',
  'OUTBOX_CLIENT_SECRET',
  'OUTBOX_SMTP_HOST',
  'OUTBOX_SMTP_PORT',
  'OUTBOX_ACCOUNT_EMAIL',
  'OUTBOX_SENDGRID_KEY',
];

const env = Object.fromEntries(REQUIRED_ENV.map((name) => [name, process.env[name] ?? '']));
// The SDK builds URLs as `${apiServer}${path}`: a trailing slash would produce `//v2/outbox`.
const apiServer = env.OUTBOX_API_SERVER.replace(/\/+$/, '');

const JOB_STATUS_ID = /^[0-9a-z]{25}$/; // DESIGN.md §5: a GUID's 128 bits in lowercase base 36
const DAY = 86_400; // default retry window: retry_limit_datetime = send_at + 24 h
const STEP_TIMEOUT_MS = 30_000;
const SUCCESS_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 250;
const CLOCK_TOLERANCE_S = 10;

const RECIPIENT = { name: 'SDK Compat Recipient', email: 'sdk-compat-recipient@example.com' };

/** Everything later steps need from earlier ones. */
const state = {};

// ---------------------------------------------------------------------------------------------
// helpers

const nowSecs = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Skips the step (and returns false) when an earlier step did not produce what this one needs. */
function prerequisites(t, ...keys) {
  const missing = keys.filter((key) => state[key] === undefined);
  if (missing.length > 0) {
    t.skip(`an earlier step failed (missing: ${missing.join(', ')})`);
    return false;
  }
  return true;
}

/**
 * The SDK parses every time attribute with `new Date(seconds * 1000)` (null for 0/null).
 * Returns the Unix seconds behind such a Date, failing clearly when the field was absent.
 */
function seconds(value, label) {
  assert.ok(
    value instanceof Date && !Number.isNaN(value.getTime()),
    `${label} should be a Date parsed by the SDK from Unix seconds, got ${String(value)}`,
  );
  return value.getTime() / 1000;
}

function assertJobStatusId(value, label = 'jobStatusId (job_status_id)') {
  assert.equal(typeof value, 'string', `${label} should be a string, got ${String(value)}`);
  assert.match(value, JOB_STATUS_ID, `${label} should be 25 lowercase base-36 characters`);
}

/** What the SDK's model classes look like from the outside: `object: "message"` → OutboxJobStatus. */
function assertOutboxJobStatus(job, label) {
  assert.ok(job, `${label}: the SDK returned no model`);
  assert.equal(
    job.constructor.name,
    'OutboxJobStatus',
    `${label}: expected an OutboxJobStatus (the SDK picks it when the JSON has "object": "message")`,
  );
}

function draft(nylas, subject) {
  return nylas.drafts.build({
    subject,
    body: `<p>${subject}</p>`,
    from: [{ name: 'SDK Compat Sender', email: env.OUTBOX_ACCOUNT_EMAIL }],
    to: [{ ...RECIPIENT }],
  });
}

/** A well-formed job_status_id that no job has: 128 random bits in base 36, padded to 25. */
function unusedJobStatusId() {
  return BigInt(`0x${randomBytes(16).toString('hex')}`).toString(36).padStart(25, '0');
}

/** Raw JSON of a job status through the SDK's own HTTP layer (same auth, headers, error parsing). */
function rawJobStatus(id) {
  return state.nylas.request({ method: 'GET', path: `/job-statuses/${id}` });
}

// ---------------------------------------------------------------------------------------------
// steps

test('0. environment: OUTBOX_* variables are set', () => {
  const missing = REQUIRED_ENV.filter((name) => env[name] === '');
  assert.deepEqual(missing, [], `missing environment variables: ${missing.join(', ')}`);
  assert.ok(Number.isInteger(Number(env.OUTBOX_SMTP_PORT)), 'OUTBOX_SMTP_PORT should be a port number');
  state.env = true;
});

test('1. Nylas.config({ clientId, clientSecret, apiServer })', (t) => {
  if (!prerequisites(t, 'env')) return;
  Nylas.config({
    clientId: env.OUTBOX_CLIENT_ID,
    clientSecret: env.OUTBOX_CLIENT_SECRET,
    apiServer,
    timeout: 15_000, // ms; makes a hung request fail the step instead of the whole run
  });
  assert.equal(Nylas.apiServer, apiServer);
  assert.equal(Nylas.clientId, env.OUTBOX_CLIENT_ID);
  state.configured = true;
});

test('2. connect.authorize (native auth, provider "imap", SMTP settings) returns a code', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'configured')) return;
  // POST /connect/authorize — Basic auth with the client secret; body is JSON but sent as text/plain.
  const response = await Nylas.connect.authorize({
    name: 'SDK Compat Account',
    emailAddress: env.OUTBOX_ACCOUNT_EMAIL,
    provider: 'imap',
    scopes: ['email.send'],
    settings: {
      imap_host: env.OUTBOX_SMTP_HOST,
      imap_port: 143,
      imap_username: 'user',
      imap_password: 'pass',
      smtp_host: env.OUTBOX_SMTP_HOST,
      smtp_port: Number(env.OUTBOX_SMTP_PORT),
      smtp_username: 'user',
      smtp_password: 'pass',
      ssl_required: false,
    },
  });
  // The SDK returns the parsed JSON untouched; the caller reads `code`.
  assert.ok(response && typeof response === 'object', `expected a JSON object, got ${JSON.stringify(response)}`);
  assert.equal(typeof response.code, 'string', `expected { "code": "…" }, got ${JSON.stringify(response)}`);
  assert.ok(response.code.length > 0, 'code should not be empty');
  state.code = response.code;
});

test('3. connect.token(code) returns an Account with access_token and account_id', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'code')) return;
  // POST /connect/token { client_id, client_secret, code } → parsed into the SDK's Account model.
  const account = await Nylas.connect.token(state.code);
  assert.equal(account.constructor.name, 'Account');
  assert.equal(typeof account.accessToken, 'string');
  assert.ok(account.accessToken.length > 0, 'accessToken (access_token) should not be empty');
  assert.equal(typeof account.accountId, 'string');
  assert.ok(account.accountId.length > 0, 'accountId (account_id) should not be empty');
  assert.equal(
    account.emailAddress.toLowerCase(),
    env.OUTBOX_ACCOUNT_EMAIL.toLowerCase(),
    'emailAddress (email_address) should be the authorized account address',
  );
  state.accountId = account.accountId;
  state.nylas = Nylas.with(account.accessToken);
});

test('4. outbox.send (immediate) → job_status_id of 25 base-36 chars, status pending', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas')) return;
  const subject = `SDK compat immediate ${Date.now()}`;
  const before = nowSecs();
  // POST /v2/outbox (Bearer, application/json); no send_at / retry_limit_datetime in the body.
  const job = await state.nylas.outbox.send(draft(state.nylas, subject), {});
  const after = nowSecs();

  assert.equal(job.constructor.name, 'OutboxJobStatus');
  assertJobStatusId(job.jobStatusId);
  assert.equal(job.status, 'pending');
  assert.equal(job.accountId, state.accountId, 'accountId (account_id) should be the token\'s account');

  const data = job.originalData;
  assert.ok(data, 'originalData (original_data) should be present');
  assert.equal(data.constructor.name, 'OutboxMessage');
  assert.equal(data.subject, subject);
  assert.deepEqual(data.to.map((p) => p.email), [RECIPIENT.email]);
  // "send_at absent means now": the echo carries the acceptance time, and the default retry window.
  const sendAt = seconds(data.sendAt, 'originalData.sendAt (send_at)');
  assert.ok(
    sendAt >= before - CLOCK_TOLERANCE_S && sendAt <= after + CLOCK_TOLERANCE_S,
    `immediate send_at should be about now (${before}…${after}), got ${sendAt}`,
  );
  assert.equal(seconds(data.retryLimitDatetime, 'originalData.retryLimitDatetime (retry_limit_datetime)'), sendAt + DAY);

  state.immediate = { id: job.jobStatusId, subject };
});

test('5. outbox.send (scheduled, sendAt +1 h) echoes send_at, original_send_at, retry_limit_datetime = send_at + 86400', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas')) return;
  const subject = `SDK compat scheduled ${Date.now()}`;
  const sendAt = nowSecs() + 3600;
  // POST /v2/outbox with "send_at": <integer seconds>; retry_limit_datetime omitted (server default).
  const job = await state.nylas.outbox.send(draft(state.nylas, subject), { sendAt });

  assert.equal(job.constructor.name, 'OutboxJobStatus');
  assertJobStatusId(job.jobStatusId);
  assert.notEqual(job.jobStatusId, state.immediate?.id, 'each job gets its own job_status_id');
  assert.equal(job.status, 'pending');
  assert.equal(job.accountId, state.accountId);

  const data = job.originalData;
  assert.ok(data, 'originalData (original_data) should be present');
  assert.equal(data.subject, subject);
  assert.equal(seconds(data.sendAt, 'originalData.sendAt (send_at)'), sendAt);
  assert.equal(seconds(data.originalSendAt, 'originalData.originalSendAt (original_send_at)'), sendAt);
  assert.equal(seconds(data.retryLimitDatetime, 'originalData.retryLimitDatetime (retry_limit_datetime)'), sendAt + DAY);

  state.scheduled = { id: job.jobStatusId, subject, sendAt };
});

test('6. outbox.update (PATCH /v2/outbox/{id}): new subject, sendAt +2 h → send_at == original_send_at == new, retry limit reset', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'scheduled')) return;
  const subject = `${state.scheduled.subject} (updated)`;
  const sendAt = nowSecs() + 2 * 3600;
  // The SDK option is `updatedMessage` (a Draft). It serialises the whole draft, so pass the full
  // message with the new subject, as an SDK user would.
  const job = await state.nylas.outbox.update(state.scheduled.id, {
    updatedMessage: draft(state.nylas, subject),
    sendAt,
  });

  assert.equal(job.constructor.name, 'OutboxJobStatus');
  assert.equal(job.jobStatusId, state.scheduled.id);
  assert.equal(job.status, 'pending');

  const data = job.originalData;
  assert.ok(data, 'originalData (original_data) should be present');
  assert.equal(data.subject, subject);
  assert.deepEqual(data.to.map((p) => p.email), [RECIPIENT.email], 'recipients survive the update');
  assert.equal(seconds(data.sendAt, 'originalData.sendAt (send_at)'), sendAt);
  assert.equal(seconds(data.originalSendAt, 'originalData.originalSendAt (original_send_at)'), sendAt);
  assert.equal(seconds(data.retryLimitDatetime, 'originalData.retryLimitDatetime (retry_limit_datetime)'), sendAt + DAY);

  state.updated = { subject, sendAt };
});

test('7. jobStatuses.find(scheduled) → OutboxJobStatus, pending, with the updated send_at and subject', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'scheduled', 'updated')) return;
  // GET /job-statuses/{id} — note: Basic auth with the access token as user name, not Bearer.
  const job = await state.nylas.jobStatuses.find(state.scheduled.id);
  assertOutboxJobStatus(job, 'scheduled job');
  assert.equal(job.object, 'message');
  assert.equal(job.action, 'new_outbox');
  assert.equal(job.jobStatusId, state.scheduled.id);
  assert.equal(typeof job.id, 'string');
  assert.ok(job.id.length > 0, 'id should be present');
  assert.equal(job.accountId, state.accountId);
  assert.equal(job.status, 'pending');
  assert.equal(job.isSuccessful(), false);
  const created = seconds(job.createdAt, 'createdAt (created_at)');
  assert.ok(Math.abs(created - nowSecs()) < 600, `created_at should be recent, got ${created}`);
  assert.equal(seconds(job.sendAt, 'sendAt (send_at)'), state.updated.sendAt);
  assert.equal(seconds(job.originalSendAt, 'originalSendAt (original_send_at)'), state.updated.sendAt);
  assert.ok(job.originalData, 'originalData (original_data) should be present');
  assert.equal(job.originalData.subject, state.updated.subject);
  assert.equal(
    seconds(job.originalData.retryLimitDatetime, 'originalData.retryLimitDatetime (retry_limit_datetime)'),
    state.updated.sendAt + DAY,
  );
});

test('8. jobStatuses.find(immediate) → OutboxJobStatus for the immediate job', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'immediate')) return;
  const job = await state.nylas.jobStatuses.find(state.immediate.id);
  assertOutboxJobStatus(job, 'immediate job');
  assert.equal(job.object, 'message');
  assert.equal(job.action, 'new_outbox');
  assert.equal(job.jobStatusId, state.immediate.id);
  assert.equal(job.accountId, state.accountId);
  assert.ok(
    ['pending', 'delayed', 'successful'].includes(job.status),
    `status should be pending/delayed/successful at this point, got ${JSON.stringify(job.status)}`,
  );
  seconds(job.createdAt, 'createdAt (created_at)');
  seconds(job.sendAt, 'sendAt (send_at)');
  assert.ok(job.originalData, 'originalData (original_data) should be present');
  assert.equal(job.originalData.subject, state.immediate.subject);
});

test(`9. jobStatuses.find(immediate) reaches status successful within ${SUCCESS_TIMEOUT_MS / 1000} s`, { timeout: SUCCESS_TIMEOUT_MS + STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'immediate')) return;
  const deadline = Date.now() + SUCCESS_TIMEOUT_MS;
  const seen = [];
  let job;
  for (;;) {
    job = await state.nylas.jobStatuses.find(state.immediate.id);
    if (seen.at(-1) !== job.status) seen.push(job.status);
    if (job.status === 'successful') break;
    if (job.status === 'failed' || job.status === 'cancelled' || Date.now() >= deadline) {
      const raw = await rawJobStatus(state.immediate.id).catch((e) => `(raw read failed: ${e.message})`);
      assert.fail(
        `immediate job did not become successful (statuses seen: ${seen.join(' → ')}); last job status JSON: ${JSON.stringify(raw)}`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
  assertOutboxJobStatus(job, 'immediate job');
  assert.equal(job.status, 'successful');
  assert.equal(job.isSuccessful(), true);
  assert.equal(job.jobStatusId, state.immediate.id);
});

test('10. jobStatuses.list() → a top-level array that includes both jobs', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'immediate', 'scheduled')) return;
  // GET /job-statuses?offset=0&limit=100, then further pages while a page has 100 items.
  const jobs = await state.nylas.jobStatuses.list();
  assert.ok(Array.isArray(jobs), 'list() should resolve to an array');
  const byId = new Map(jobs.map((job) => [job.jobStatusId, job]));
  for (const [label, id] of [['immediate', state.immediate.id], ['scheduled', state.scheduled.id]]) {
    assert.ok(byId.has(id), `${label} job ${id} missing from list() (${jobs.length} items)`);
    assertOutboxJobStatus(byId.get(id), `${label} job in list()`);
  }
});

test('11. jobStatuses.list({ limit: 1 }) honours limit', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'immediate', 'scheduled')) return;
  // GET /job-statuses?limit=1&offset=0 — at least two jobs exist, so exactly one must come back.
  const jobs = await state.nylas.jobStatuses.list({ limit: 1 });
  assert.ok(Array.isArray(jobs), 'list() should resolve to an array');
  assert.equal(jobs.length, 1);
});

test('12. outbox.delete(scheduled) succeeds', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'scheduled')) return;
  // DELETE /v2/outbox/{id} (Bearer, no body). Any 2xx resolves; the value is not used.
  await state.nylas.outbox.delete(state.scheduled.id);
  state.deleted = true;
});

test('13. jobStatuses.find(scheduled) after delete → status cancelled', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'scheduled', 'deleted')) return;
  const job = await state.nylas.jobStatuses.find(state.scheduled.id);
  assertOutboxJobStatus(job, 'cancelled job');
  assert.equal(job.jobStatusId, state.scheduled.id);
  assert.equal(job.status, 'cancelled');
  assert.equal(job.isSuccessful(), false);
  state.cancelledChecked = true;
});

test('14. job-status JSON also carries the fields the SDK does not model (retry_limit_datetime, reason)', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'scheduled', 'updated', 'cancelledChecked')) return;
  // The SDK's JobStatus model has no `reason` and no top-level `retry_limit_datetime`; read them
  // through the SDK's own request() (same path, auth and headers as jobStatuses.find).
  const raw = await rawJobStatus(state.scheduled.id);
  assert.ok(raw && typeof raw === 'object' && !Array.isArray(raw), 'GET /job-statuses/{id} should return a JSON object');
  assert.equal(raw.job_status_id, state.scheduled.id);
  assert.equal(raw.status, 'cancelled');
  assert.equal(raw.retry_limit_datetime, state.updated.sendAt + DAY, 'retry_limit_datetime in Unix seconds');
  assert.equal(typeof raw.reason, 'string', 'a cancelled job has a reason');
  assert.ok(raw.reason.length > 0, 'reason should not be empty');
});

test('15. jobStatuses.find(well-formed unknown id) rejects with a 404 NylasApiError { message, type }', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas')) return;
  const id = unusedJobStatusId();
  assertJobStatusId(id, 'generated id');
  await assert.rejects(
    () => state.nylas.jobStatuses.find(id),
    (err) => {
      // The SDK turns any status > 299 into NylasApiError(statusCode, body.type, body.message).
      assert.equal(err.statusCode, 404, `expected 404, got ${err.statusCode} (${err.message})`);
      assert.equal(err.name, 'Not Found');
      assert.equal(typeof err.type, 'string', 'error body should have a string "type"');
      assert.ok(err.type.length > 0, 'error "type" should not be empty');
      assert.ok(typeof err.message === 'string' && err.message.length > 0, 'error body should have a "message"');
      return true;
    },
  );
});

// The fallback: the account connects its own SendGrid key (no SDK method for that, so through the SDK's request()),
// then the SDK's own sendGridVerificationStatus() and deleteSendGridSubUser(email) drive the onboarding endpoints.
test('16. POST /v2/outbox/onboard/subuser with the account\'s own SendGrid key (through the SDK\'s request())', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas')) return;
  const connected = await state.nylas.outbox.request({
    method: 'POST',
    path: '/onboard/subuser',
    body: { api_key: env.OUTBOX_SENDGRID_KEY },
  });
  assert.equal(connected.connected, true);
  assert.equal(connected.email, env.OUTBOX_ACCOUNT_EMAIL);
  state.sendGridConnected = true;
});

test('17. outbox.sendGridVerificationStatus() → SendGridVerifiedStatus from the account\'s key', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'sendGridConnected')) return;
  const status = await state.nylas.outbox.sendGridVerificationStatus();
  assert.equal(status.constructor.name, 'SendGridVerifiedStatus');
  assert.equal(status.senderVerified, true);
  assert.equal(status.domainVerified, false);
});

test('18. outbox.deleteSendGridSubUser(email) removes the key; verified_status then rejects with 400', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'nylas', 'sendGridConnected')) return;
  await state.nylas.outbox.deleteSendGridSubUser(env.OUTBOX_ACCOUNT_EMAIL);
  await assert.rejects(
    () => state.nylas.outbox.sendGridVerificationStatus(),
    (err) => {
      assert.equal(err.statusCode, 400, `expected 400, got ${err.statusCode} (${err.message})`);
      assert.equal(err.type, 'invalid_request_error');
      return true;
    },
  );
});

// Webhook management, as the SDK's Webhook model does it: the application's client secret as Basic user, paths under
// /a/{client_id}/webhooks. The callback is a local HTTP server (the service under test allows loopback callbacks).
async function startReceiver() {
  const deliveries = [];
  const challenges = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'GET' && url.searchParams.has('challenge')) {
      challenges.push(url.searchParams.get('challenge'));
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(url.searchParams.get('challenge'));
      return;
    }
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      deliveries.push({ signature: req.headers['x-nylas-signature'], body: JSON.parse(body) });
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, deliveries, challenges, url: `http://127.0.0.1:${server.address().port}/hooks` };
}

test('19. Nylas.webhooks.build({ callbackUrl, triggers }).save() → an active Webhook, after the challenge', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'configured', 'nylas')) return;
  state.receiver = await startReceiver();
  const webhook = await Nylas.webhooks.build({ callbackUrl: state.receiver.url, triggers: ['job.successful', 'job.failed'] }).save();
  assert.equal(webhook.constructor.name, 'Webhook');
  assert.equal(typeof webhook.id, 'string');
  assert.ok(webhook.id.length > 0, 'a webhook id');
  assert.equal(webhook.callbackUrl, state.receiver.url);
  assert.equal(webhook.state, 'active');
  assert.deepEqual([...webhook.triggers].sort(), ['job.failed', 'job.successful']);
  assert.equal(webhook.applicationId, env.OUTBOX_CLIENT_ID);
  assert.equal(state.receiver.challenges.length, 1, 'the service checked the callback with one challenge');
  state.webhook = webhook;
});

test('20. Nylas.webhooks.list() and find(id) return it', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'webhook')) return;
  const all = await Nylas.webhooks.list();
  assert.ok(all.some((w) => w.id === state.webhook.id), 'list() includes the new webhook');
  const found = await Nylas.webhooks.find(state.webhook.id);
  assert.equal(found.id, state.webhook.id);
  assert.equal(found.callbackUrl, state.receiver.url);
});

test('21. a sent job is notified to it as job.successful with the SDK\'s delta shape', { timeout: SUCCESS_TIMEOUT_MS + STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'webhook')) return;
  const job = await state.nylas.outbox.send(draft(state.nylas, 'Notified'), {});
  const deadline = Date.now() + SUCCESS_TIMEOUT_MS;
  let delta;
  while (Date.now() < deadline && !delta) {
    delta = state.receiver.deliveries
      .flatMap((d) => d.body.deltas ?? [])
      .find((d) => d.type === 'job.successful' && d.object_data?.attributes?.job_status_id === job.jobStatusId);
    if (!delta) await sleep(POLL_INTERVAL_MS);
  }
  assert.ok(delta, `no job.successful for ${job.jobStatusId}; received ${JSON.stringify(state.receiver.deliveries)}`);
  assert.equal(delta.object, 'message');
  assert.equal(typeof delta.date, 'number');
  const delivery = state.receiver.deliveries.find((d) => (d.body.deltas ?? []).includes(delta));
  assert.match(delivery.signature ?? '', /^[0-9a-f]{64}$/, 'X-Nylas-Signature is a hex HMAC-SHA256');
});

test('22. webhook.state = "inactive"; save() updates it (PUT with the state only)', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'webhook')) return;
  state.webhook.state = 'inactive';
  await state.webhook.save();
  const found = await Nylas.webhooks.find(state.webhook.id);
  assert.equal(found.state, 'inactive');
});

test('23. Nylas.webhooks.delete(webhook) removes it', { timeout: STEP_TIMEOUT_MS }, async (t) => {
  if (!prerequisites(t, 'webhook')) return;
  try {
    await Nylas.webhooks.delete(state.webhook);
    const all = await Nylas.webhooks.list();
    assert.ok(!all.some((w) => w.id === state.webhook.id), 'list() no longer includes it');
  } finally {
    state.receiver.server.close();
  }
});
