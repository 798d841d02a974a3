// The Vercel AI SDK (`ai`) against the mock, as its users write it, through one of three providers
// (CHATCONFORM_VARIANT): `openai-compatible` (@ai-sdk/openai-compatible), `openai` (@ai-sdk/openai, its
// `.chat()` model: the default model speaks the Responses API, which a chat-completions gateway does not
// serve) and `anthropic` (@ai-sdk/anthropic, against the Anthropic face). Every feature is the same AI SDK
// call whatever the provider: generateText / streamText, tools with `jsonSchema`, a second turn through an
// `execute` and `stopWhen`, and `output: Output.json()` / `Output.object()` for JSON and structured output.
import { Output, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { CASES, KEY, MODEL, ROOT, TIMEOUT_MS, VARIANT, badTool, each, run, usage } from './harness.mjs';

const PROVIDERS = {
  // includeUsage: without it this provider sends no stream_options, so a stream reports no usage.
  'openai-compatible': (apiKey) => createOpenAICompatible({ name: 'mock', baseURL: `${ROOT}/v1`, apiKey, includeUsage: true })(MODEL),
  openai: (apiKey) => createOpenAI({ baseURL: `${ROOT}/v1`, apiKey }).chat(MODEL),
  anthropic: (apiKey) => createAnthropic({ baseURL: `${ROOT}/v1`, apiKey })(MODEL),
};
if (!(VARIANT in PROVIDERS)) throw new Error(`CHATCONFORM_VARIANT must be one of ${Object.keys(PROVIDERS)}`);
const modelWith = PROVIDERS[VARIANT];
const model = modelWith(KEY);
const common = { model, maxRetries: 0, maxOutputTokens: CASES.max_tokens, timeout: TIMEOUT_MS };

const toolSet = (execute, specs = CASES.tools) =>
  Object.fromEntries(specs.map((t) => [t.name, tool({ description: t.description, inputSchema: jsonSchema(t.parameters), execute })]));
const TOOLS = toolSet(undefined); // no execute: the call comes back to the caller, as with the raw SDKs

// A generateText result, a streamText result (whose fields are promises) or a step, as an observation.
async function observe(result) {
  const [text, finish, content, toolCalls, use] = await Promise.all([
    result.text,
    result.finishReason,
    result.content,
    result.toolCalls,
    result.usage,
  ]);
  return {
    text,
    finish,
    parts: content.map((p) => p.type),
    tool_calls: toolCalls.map((c) => ({ id: c.toolCallId, name: c.toolName, arguments: c.input })),
    usage: usage(use.inputTokens, use.outputTokens, use.totalTokens ?? null),
  };
}

const prompts = {
  plain: { prompt: CASES.plain },
  streamed: { prompt: CASES.streamed },
  'tools-auto': { prompt: CASES.tools_auto, tools: TOOLS, toolChoice: 'auto' },
  'tools-required': { prompt: CASES.tools_required, tools: TOOLS, toolChoice: 'required' },
  'tools-named': { prompt: CASES.tools_named.prompt, tools: TOOLS, toolChoice: { type: 'tool', toolName: CASES.tools_named.tool } },
  'tools-streamed': { prompt: CASES.tools_streamed, tools: TOOLS },
  vision: {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: CASES.vision.prompt },
          { type: 'file', data: CASES.vision.base64, mediaType: CASES.vision.media_type },
        ],
      },
    ],
  },
  stop: { prompt: CASES.stop.prompt, stopSequences: CASES.stop.sequences },
  'max-tokens': { prompt: CASES.length.prompt, maxOutputTokens: CASES.length.max_tokens },
  'error-400': { prompt: CASES.bad_request.prompt, tools: toolSet(undefined, [badTool()]) },
};
const once = (feature, extra = {}) => async () => observe(await generateText({ ...common, ...prompts[feature], ...extra }));

const streamed = (feature) => async () => {
  let streamError = null;
  const result = streamText({ ...common, ...prompts[feature], onError: ({ error }) => (streamError = error) });
  let deltas = 0;
  for await (const piece of result.textStream) deltas += piece ? 1 : 0;
  if (streamError) throw streamError; // streamText reports errors to onError instead of throwing them
  return { ...(await observe(result)), deltas, whole: await observe(await generateText({ ...common, ...prompts[feature] })) };
};

async function secondTurn() {
  const result = JSON.parse(CASES.tools_second_turn.result);
  const answer = await generateText({ ...common, prompt: CASES.tools_second_turn.prompt, tools: toolSet(async () => result), stopWhen: stepCountIs(2) });
  return { ...(await observe(answer)), first: await observe(answer.steps[0]), steps: answer.steps.length };
}

const withOutput = (prompt, output) => async () => {
  const result = await generateText({ ...common, prompt, output });
  return { ...(await observe(result)), parsed: result.output };
};

const Person = z.object({ name: z.string(), age: z.number().int() });

const ONE_CALL = ['plain', 'tools-auto', 'tools-required', 'tools-named', 'vision', 'stop', 'max-tokens', 'error-400'];
await run({
  ...each(ONE_CALL, (feature) => once(feature)),
  ...each(['streamed', 'tools-streamed'], streamed),
  'tools-second-turn': secondTurn,
  'json-mode': withOutput(CASES.json_mode, Output.json()),
  'structured-output': withOutput(CASES.structured.prompt, Output.object({ schema: Person, name: CASES.structured.name })),
  'error-401': async () => observe(await generateText({ ...common, model: modelWith(CASES.wrong_key), prompt: CASES.plain })),
});
