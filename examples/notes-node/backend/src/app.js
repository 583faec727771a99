// An ordinary Lambda handler for a REST API (payload 1.0) that knows nothing of CORS: the cors-gen layer loads
// it from CORS_GEN_HANDLER ("src/app.handler") and adds the CORS headers to every answer, errors included.
import { formatNote } from '@notes/format';

const created = new Map();

export const handler = async (event, context) => {
  const requestId = context.awsRequestId;
  const id = event.pathParameters?.id;
  if (event.resource === '/notes') {
    if (event.httpMethod === 'POST') {
      const note = { id: `note-${created.size + 1}`, text: JSON.stringify(parse(event.body)) };
      created.set(note.id, note);
      return json(201, formatNote(note), requestId);
    }
    return json(200, [...created.values()].map(formatNote), requestId);
  }
  if (event.httpMethod === 'DELETE') {
    created.delete(id);
    return { statusCode: 204, headers: { 'X-Request-Id': requestId } };
  }
  return json(200, formatNote(await loadNote(id)), requestId);
};

// Try it: GET /notes/error throws, as a failing database call would; the browser still reads the 500.
async function loadNote(id) {
  if (id === 'error') throw new Error('the note store is unavailable');
  return created.get(id) ?? { id, text: `Note ${id}` };
}

function parse(body) {
  try {
    return JSON.parse(body ?? 'null');
  } catch {
    return body;
  }
}

function json(statusCode, value, requestId) {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': requestId },
    body: JSON.stringify(value),
  };
}
