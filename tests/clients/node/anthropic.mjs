// The official `@anthropic-ai/sdk` against the mock's Anthropic face, as its users write it: `messages.create`,
// the `messages.stream()` helper, `messages.parse()` with `zodOutputFormat`, `countTokens` and `models.list`.
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { z } from 'zod';
import { CASES, KEY, MODEL, ROOT, TIMEOUT_MS, badTool, run, sdkFeatures, usage } from './harness.mjs';

const Person = z.object({ name: z.string(), age: z.number().int() });
const anthropicTools = (specs) => specs.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
const TOOLS = anthropicTools(CASES.tools);
const user = (content) => [{ role: 'user', content }];
const clientWith = (apiKey) => new Anthropic({ baseURL: ROOT, apiKey, maxRetries: 0, timeout: TIMEOUT_MS });
const client = clientWith(KEY);

function observe(message) {
  const texts = message.content.filter((b) => b.type === 'text').map((b) => b.text);
  return {
    text: texts.length ? texts.join('') : null,
    finish: message.stop_reason,
    stop_sequence: message.stop_sequence,
    tool_calls: message.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, arguments: b.input })),
    parts: message.content.map((b) => b.type),
    usage: usage(message.usage.input_tokens, message.usage.output_tokens),
  };
}

const image = { type: 'image', source: { type: 'base64', media_type: CASES.vision.media_type, data: CASES.vision.base64 } };
const requests = {
  plain: { messages: user(CASES.plain) },
  streamed: { messages: user(CASES.streamed) },
  'tools-auto': { messages: user(CASES.tools_auto), tools: TOOLS, tool_choice: { type: 'auto' } },
  'tools-required': { messages: user(CASES.tools_required), tools: TOOLS, tool_choice: { type: 'any' } },
  'tools-named': { messages: user(CASES.tools_named.prompt), tools: TOOLS, tool_choice: { type: 'tool', name: CASES.tools_named.tool } },
  'tools-second-turn': { messages: user(CASES.tools_second_turn.prompt), tools: TOOLS },
  'tools-streamed': { messages: user(CASES.tools_streamed), tools: TOOLS },
  vision: { messages: user([image, { type: 'text', text: CASES.vision.prompt }]) },
  'structured-output': { messages: user(CASES.structured.prompt), output_config: { format: zodOutputFormat(Person) } },
  stop: { messages: user(CASES.stop.prompt), stop_sequences: CASES.stop.sequences },
  'max-tokens': { messages: user(CASES.length.prompt), max_tokens: CASES.length.max_tokens },
  'error-400': { messages: user(CASES.bad_request.prompt), tools: anthropicTools([badTool()]) },
  'error-401': { messages: user(CASES.plain) },
};
const request = (feature) => ({ model: MODEL, max_tokens: CASES.max_tokens, ...requests[feature] });
const once = (feature, sdk = client) => async () => observe(await sdk.messages.create(request(feature)));

const streamed = (feature) => async () => {
  let deltas = 0;
  const stream = client.messages.stream(request(feature)).on('text', () => (deltas += 1));
  const final = await stream.finalMessage();
  return { ...observe(final), deltas, whole: observe(await client.messages.create(request(feature))) };
};

async function secondTurn() {
  const ask = request('tools-second-turn');
  const first = await client.messages.create(ask);
  const call = first.content.find((b) => b.type === 'tool_use');
  const result = { type: 'tool_result', tool_use_id: call.id, content: CASES.tools_second_turn.result };
  const history = [...ask.messages, { role: 'assistant', content: first.content }, ...user([result])];
  return { ...observe(await client.messages.create({ ...ask, messages: history })), first: observe(first) };
}

async function structured() {
  const message = await client.messages.parse(request('structured-output'));
  return { ...observe(message), parsed: message.parsed_output };
}

async function countTokens() {
  const { model, messages } = request('plain');
  const counted = await client.messages.countTokens({ model, messages });
  return { counted: counted.input_tokens, whole: observe(await client.messages.create(request('plain'))) };
}

async function modelsList() {
  const models = [];
  for await (const m of client.models.list()) models.push({ id: m.id, type: m.type ?? null, display_name: m.display_name ?? null });
  return { models };
}

const ONE_CALL = ['plain', 'tools-auto', 'tools-required', 'tools-named', 'vision', 'stop', 'max-tokens', 'error-400'];
await run({
  ...sdkFeatures({ oneCall: ONE_CALL, once, streamed, secondTurn, structured, wrongKeyClient: clientWith(CASES.wrong_key) }),
  'count-tokens': countTokens,
  'models-list': modelsList,
});
