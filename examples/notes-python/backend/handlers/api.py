"""An ordinary Lambda handler for an HTTP API (payload 2.0) that knows nothing of CORS.

The cors-gen layer loads it from CORS_GEN_HANDLER ("handlers/api.handler", that is the module handlers.api) and
answers a raised exception with a 500 the browser can read; the HTTP API adds the CORS headers.
"""

import json

from notes_store import NoteStore

store = NoteStore()


def handler(event, context):
    method = event["requestContext"]["http"]["method"]
    note_id = (event.get("pathParameters") or {}).get("id")
    request_id = getattr(context, "aws_request_id", "local")
    if note_id is None:
        if method == "POST":
            return _json(201, store.add(json.loads(event.get("body") or "null")), request_id)
        return _json(200, store.all(), request_id)
    if method == "PUT":
        return _json(200, store.put(note_id, json.loads(event.get("body") or "null")), request_id)
    # Try it: GET /notes/error raises, as a failing database call would; the browser still reads the 500.
    return _json(200, store.get(note_id), request_id)


def _json(status, value, request_id):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "X-Request-Id": request_id},
        "body": json.dumps(value),
    }
