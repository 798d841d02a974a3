// What every Node driver of the client matrix shares: its inputs, its output and the error description.
//
// The Node twin of tests/clients/python/common.py (see there for the environment a driver reads). A driver
// prints one JSON line per feature with what the client observed; the Python test decides.
import { readFileSync } from 'node:fs';

export const CASES = JSON.parse(readFileSync(new URL('../cases.json', import.meta.url), 'utf8'));
export const ROOT = process.env.CHATCONFORM_MOCK_ROOT ?? '';
export const KEY = process.env.CHATCONFORM_MOCK_KEY ?? '';
export const VARIANT = process.env.CHATCONFORM_VARIANT ?? '';
export const MODEL = CASES.model;
export const TIMEOUT_MS = 20_000; // per request; the test gives the whole process a wider bound

export const imageDataUri = () => `data:${CASES.vision.media_type};base64,${CASES.vision.base64}`;

// The tool of the 400 feature: the weather tool under a name that both APIs refuse.
export const badTool = () => ({ ...CASES.tools[0], name: CASES.bad_request.tool_name });
export const openaiTools = (specs = CASES.tools) => specs.map((fn) => ({ type: 'function', function: fn }));

export const usage = (input, output, total = null) => ({ input: input ?? null, output: output ?? null, total });

// The features made by one function from their name, as an object for `run`.
export const each = (names, make) => Object.fromEntries(names.map((name) => [name, make(name)]));

// The features of an official SDK's driver, which both SDK drivers build the same way from their parts.
export const sdkFeatures = ({ oneCall, once, streamed, secondTurn, structured, wrongKeyClient }) => ({
  ...each(oneCall, (feature) => once(feature)),
  ...each(['streamed', 'tools-streamed'], streamed),
  'tools-second-turn': secondTurn,
  'structured-output': structured,
  'error-401': once('error-401', wrongKeyClient),
});

// Tool arguments as a value; a string that is not JSON stays a string, so the test shows it.
export function parseArguments(raw) {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const redact = (text) => (KEY ? String(text).split(KEY).join('<key>') : String(text));

// The class chain of an error, so the test can tell the client's own typed error from a bare Error.
function classes(error) {
  const names = [];
  for (let proto = Object.getPrototypeOf(error); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    names.push(proto.constructor.name);
  }
  return names;
}

export function describeError(error) {
  const [name, ...bases] = classes(error);
  const status = error.status ?? error.statusCode ?? null;
  const body = error.error ?? error.data ?? null; // the SDKs keep the parsed body under `error`, the AI SDK under `data`
  const inner = body?.error ?? body;
  return {
    class: name,
    bases,
    name: error.name ?? null,
    status: typeof status === 'number' ? status : null,
    type: typeof inner?.type === 'string' ? inner.type : null,
    message: redact(error.message).slice(0, 300),
  };
}

// Run the features named in the environment, one JSON line each; a thrown error is an observation.
export async function run(features) {
  const named = (process.env.CHATCONFORM_FEATURES ?? '').split(',').filter(Boolean);
  for (const feature of named.length ? named : Object.keys(features)) {
    const started = performance.now();
    let observed;
    if (!(feature in features)) {
      observed = { driver_error: `this driver has no feature ${JSON.stringify(feature)}` };
    } else {
      try {
        observed = await features[feature]();
      } catch (error) {
        observed = { error: describeError(error), trace: redact(error.stack ?? '').slice(0, 1500) };
      }
    }
    observed.feature = feature;
    observed.seconds = Math.round(performance.now() - started) / 1000;
    process.stdout.write(JSON.stringify(observed) + '\n');
  }
}
