// An ordinary Lambda handler for a REST API (payload 1.0): it knows nothing of CORS. The cors-gen layer loads it
// from CORS_GEN_HANDLER ("src/app.handler") and adds the CORS headers to every answer, errors included.
import { formatNote } from '@notes/format';

const notes = new Map([['1', { id: '1', text: 'Bring your own handler' }]]);

export const handler = async (event, context) => {
  const method = event.httpMethod;
  const id = event.pathParameters?.id;
  const requestId = context.awsRequestId;
  if (event.resource === '/boom') throw new Error('boom: the wrapper still answers with CORS headers');
  if (event.resource === '/notes' && method === 'GET') return json(200, [...notes.values()].map(formatNote), requestId);
  if (event.resource === '/notes' && method === 'POST') {
    const { text } = JSON.parse(event.body ?? '{}');
    const note = { id: String(notes.size + 1), text: String(text ?? '') };
    notes.set(note.id, note);
    return json(201, formatNote(note), requestId);
  }
  const note = notes.get(id);
  if (!note) return json(404, { message: `no note ${id}` }, requestId);
  if (method === 'DELETE') {
    notes.delete(id);
    return { statusCode: 204, headers: { 'X-Request-Id': requestId } };
  }
  return json(200, formatNote(note), requestId);
};

function json(statusCode, value, requestId) {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': requestId },
    body: JSON.stringify(value),
  };
}
