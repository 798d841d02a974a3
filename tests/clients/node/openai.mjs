// The official `openai` Node SDK against the mock's OpenAI face, as its users write it: `create` (with
// `stream: true` for streams) and, for structured output, the `.parse()` helper with `zodResponseFormat`.
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { CASES, KEY, MODEL, ROOT, TIMEOUT_MS, badTool, imageDataUri, openaiTools, parseArguments, run, sdkFeatures, usage } from './harness.mjs';

const Person = z.object({ name: z.string(), age: z.number().int() });
const user = (content) => [{ role: 'user', content }];
const clientWith = (apiKey) => new OpenAI({ baseURL: `${ROOT}/v1`, apiKey, maxRetries: 0, timeout: TIMEOUT_MS });
const client = clientWith(KEY);

const openaiUsage = (u) => (u ? usage(u.prompt_tokens, u.completion_tokens, u.total_tokens) : null);

function observe(completion) {
  const { message, finish_reason: finish } = completion.choices[0];
  const calls = (message.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: parseArguments(c.function.arguments) }));
  return { text: message.content, finish, tool_calls: calls, usage: openaiUsage(completion.usage) };
}

// Reassemble chunks as the SDK's own stream helper does: text stays null until a chunk carries content.
async function observeStream(stream) {
  let text = null;
  let finish = null;
  let use = null;
  let deltas = 0;
  const calls = new Map();
  for await (const chunk of stream) {
    use = chunk.usage ?? use;
    for (const choice of chunk.choices ?? []) {
      finish = choice.finish_reason ?? finish;
      if (choice.delta.content != null) {
        text = (text ?? '') + choice.delta.content;
        deltas += choice.delta.content ? 1 : 0;
      }
      for (const part of choice.delta.tool_calls ?? []) {
        const entry = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
        entry.id = part.id ?? entry.id;
        entry.name += part.function?.name ?? '';
        entry.arguments += part.function?.arguments ?? '';
        calls.set(part.index, entry);
      }
    }
  }
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ ...c, arguments: parseArguments(c.arguments) }));
  return { text, finish, tool_calls: toolCalls, usage: openaiUsage(use), deltas };
}

const tools = openaiTools();
const vision = [
  { type: 'text', text: CASES.vision.prompt },
  { type: 'image_url', image_url: { url: imageDataUri() } },
];
const base = { model: MODEL, max_tokens: CASES.max_tokens };
const requests = {
  plain: { messages: user(CASES.plain) },
  streamed: { messages: user(CASES.streamed) },
  'tools-auto': { messages: user(CASES.tools_auto), tools, tool_choice: 'auto' },
  'tools-required': { messages: user(CASES.tools_required), tools, tool_choice: 'required' },
  'tools-named': { messages: user(CASES.tools_named.prompt), tools, tool_choice: { type: 'function', function: { name: CASES.tools_named.tool } } },
  'tools-second-turn': { messages: user(CASES.tools_second_turn.prompt), tools },
  'tools-streamed': { messages: user(CASES.tools_streamed), tools },
  vision: { messages: user(vision) },
  'json-mode': { messages: user(CASES.json_mode), response_format: { type: 'json_object' } },
  'structured-output': { messages: user(CASES.structured.prompt), response_format: zodResponseFormat(Person, CASES.structured.name) },
  stop: { messages: user(CASES.stop.prompt), stop: CASES.stop.sequences },
  'max-tokens': { messages: user(CASES.length.prompt), max_tokens: CASES.length.max_tokens },
  'error-400': { messages: user(CASES.bad_request.prompt), tools: openaiTools([badTool()]) },
  'error-401': { messages: user(CASES.plain) },
};
const request = (feature) => ({ ...base, ...requests[feature] });
const once = (feature, sdk = client) => async () => observe(await sdk.chat.completions.create(request(feature)));

const streamed = (feature) => async () => {
  const observed = await observeStream(await client.chat.completions.create({ ...request(feature), stream: true, stream_options: { include_usage: true } }));
  return { ...observed, whole: observe(await client.chat.completions.create(request(feature))) };
};

async function secondTurn() {
  const ask = request('tools-second-turn');
  const first = await client.chat.completions.create(ask);
  const message = first.choices[0].message;
  const result = { role: 'tool', tool_call_id: message.tool_calls[0].id, content: CASES.tools_second_turn.result };
  const second = await client.chat.completions.create({ ...ask, messages: [...ask.messages, message, result] });
  return { ...observe(second), first: observe(first) };
}

async function structured() {
  const completion = await client.chat.completions.parse(request('structured-output'));
  return { ...observe(completion), parsed: completion.choices[0].message.parsed };
}

const ONE_CALL = ['plain', 'tools-auto', 'tools-required', 'tools-named', 'vision', 'json-mode', 'stop', 'max-tokens', 'error-400'];
await run(sdkFeatures({ oneCall: ONE_CALL, once, streamed, secondTurn, structured, wrongKeyClient: clientWith(CASES.wrong_key) }));
