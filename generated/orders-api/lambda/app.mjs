// Your code: cors-gen created this file once and never overwrites it. Edit it freely.
//
// The generated index.mjs calls handle() for every request and adds the CORS headers to whatever it returns,
// so nothing here deals with CORS. A thrown error becomes a JSON 500 that carries the CORS headers too, which
// lets your frontend read the error instead of failing with a CORS error.

/**
 * Answers one request.
 * @param {object} event API Gateway REST API (payload 1.0), HTTP API (payload 2.0) or Function URL event
 * @param {object} context the Lambda context
 * @returns {Promise<{ statusCode: number, headers?: Record<string, string>, body?: string }>}
 */
export async function handle(event, context) {
  // Payload 2.0 (HTTP API, Function URL) and payload 1.0 (REST API) name these fields differently.
  const method = event.requestContext?.http?.method ?? event.httpMethod;
  const path = event.rawPath ?? event.path ?? '/';
  const requestId = context?.awsRequestId ?? 'local';

  // Try it: a path ending in /error (e.g. GET /items/error) throws; the browser still gets a readable 500.
  if (path.endsWith('/error')) {
    throw new Error('Example failure: the wrapper answers 500 with CORS headers');
  }
  // An error you return yourself keeps its status and gets the CORS headers as well.
  if (path.endsWith('/missing')) {
    return json(404, { message: `Nothing at ${path}` }, requestId);
  }

  let body = event.body ?? null;
  if (body !== null && event.isBase64Encoded) body = Buffer.from(body, 'base64').toString('utf8');
  return json(200, { method, path, query: event.queryStringParameters ?? {}, body: parseJson(body) }, requestId);
}

// A browser script can read X-Request-Id only if the spec lists it in cors.exposeHeaders.
function json(statusCode, value, requestId) {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': requestId },
    body: JSON.stringify(value),
  };
}

function parseJson(text) {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
