// Drives a running `mlpack serve` with the official openai npm client.
// Started by pkg/serve/sdk_test.go, which sets:
//   MLPACK_BASE_URL  e.g. http://127.0.0.1:PORT/v1
//   MLPACK_API_KEY   the key the server requires
//   MLPACK_MODEL     the served model id
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI7 from 'openai';
import OpenAI6 from 'openai6';

const baseURL = process.env.MLPACK_BASE_URL;
const apiKey = process.env.MLPACK_API_KEY;
const model = process.env.MLPACK_MODEL;
if (!baseURL || !apiKey || !model) {
  throw new Error('MLPACK_BASE_URL, MLPACK_API_KEY and MLPACK_MODEL must be set (run through go test ./pkg/serve -run TestOpenAISDK)');
}
const messages = [{ role: 'user', content: 'Tell me about the sea' }];

// The same checks run with both SDK generations: 7.x and 6.x parse SSE
// and error bodies differently (openai-serving.md §1.7).
for (const [version, OpenAI] of [['7.57.0', OpenAI7], ['6.49.0', OpenAI6]]) describe(`openai ${version}`, () => {
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });

async function greedy(extra = {}) {
  return client.chat.completions.create({ model, messages, temperature: 0, max_completion_tokens: 24, ...extra });
}

test('chat, not streamed', async () => {
  const r = await greedy();
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.model, model);
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
  assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('chat, streamed with usage, equals the whole response', async () => {
  const whole = await greedy();
  const stream = await greedy({ stream: true, stream_options: { include_usage: true } });
  let text = '', role = null, finish = null, usage = null, ids = new Set();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (chunk.usage) {
      assert.equal(chunk.choices.length, 0, 'the usage chunk has no choices');
      usage = chunk.usage;
      continue;
    }
    const c = chunk.choices[0];
    if (c.delta.role) role = c.delta.role;
    if (c.delta.content) text += c.delta.content;
    if (c.finish_reason) finish = c.finish_reason;
  }
  assert.equal(ids.size, 1, 'every chunk has the same id');
  assert.equal(role, 'assistant');
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, whole.choices[0].finish_reason);
  assert.deepEqual(usage, whole.usage);
});

test('the strict streaming helper accepts the stream', async () => {
  const whole = await greedy();
  const runner = client.chat.completions.stream({ model, messages, temperature: 0, max_completion_tokens: 24 });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.content, whole.choices[0].message.content);
});

test('legacy completions', async () => {
  const r = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8, temperature: 0 });
  assert.equal(r.object, 'text_completion');
  assert.equal(typeof r.choices[0].text, 'string');
  const s = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8, temperature: 0, stream: true });
  let text = '';
  for await (const chunk of s) text += chunk.choices[0]?.text ?? '';
  assert.equal(text, r.choices[0].text);
});

test('n=2 gives two indexed choices', async () => {
  const r = await client.chat.completions.create({ model, messages, n: 2, max_tokens: 8, temperature: 1, seed: 3 });
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1]);
});

test('stop cuts the text before the stop string', async () => {
  const full = (await greedy()).choices[0].message.content;
  assert.ok(full.length > 6, `need a longer greedy text, got ${JSON.stringify(full)}`);
  const stop = full.slice(4, 7);
  const cut = full.slice(0, full.indexOf(stop));
  const r = await greedy({ stop });
  assert.equal(r.choices[0].message.content, cut);
  assert.equal(r.choices[0].finish_reason, 'stop');
});

test('same seed, same text', async () => {
  const ask = (seed) => client.chat.completions.create({ model, messages, temperature: 1.2, max_tokens: 16, seed });
  const [a, b] = [await ask(11), await ask(11)];
  assert.equal(a.choices[0].message.content, b.choices[0].message.content);
});

test('a too-long prompt is a 400 with n_prompt_tokens and n_ctx', async () => {
  const long = 'hello world '.repeat(5000);
  await assert.rejects(
    client.chat.completions.create({ model, messages: [{ role: 'user', content: long }] }),
    (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, `got ${err}`);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'context_length_exceeded');
      assert.ok(err.error.n_prompt_tokens > err.error.n_ctx);
      return true;
    },
  );
});

test('an unsupported field is a 400 that names it', async () => {
  await assert.rejects(
    client.chat.completions.create({ model, messages, tools: [{ type: 'function', function: { name: 'f' } }] }),
    (err) => err instanceof OpenAI.BadRequestError && err.param === 'tools',
  );
});

test('a wrong key is a 401', async () => {
  const bad = new OpenAI({ baseURL, apiKey: 'wrong-key', maxRetries: 0 });
  await assert.rejects(bad.models.list(), (err) => err instanceof OpenAI.AuthenticationError && err.status === 401);
});

test('models list and retrieve', async () => {
  const page = await client.models.list();
  assert.deepEqual(page.data.map((m) => m.id), [model]);
  const m = await client.models.retrieve(model);
  assert.equal(m.id, model);
});
});
