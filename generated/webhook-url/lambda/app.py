# Your code: cors-gen created this file once and never overwrites it. Edit it freely.
#
# The generated handler.py calls handle() for every request and adds the CORS headers to whatever it returns,
# so nothing here deals with CORS. A raised exception becomes a JSON 500 that carries the CORS headers too, which
# lets your frontend read the error instead of failing with a CORS error.
"""Your API's code: handle(event, context) returns {"statusCode", "headers"?, "body"?}."""

import base64
import json


def handle(event, context):
    """Answers one request.

    event: API Gateway REST API (payload 1.0), HTTP API (payload 2.0) or Function URL event.
    context: the Lambda context.
    """
    # Payload 2.0 (HTTP API, Function URL) and payload 1.0 (REST API) name these fields differently.
    http = (event.get("requestContext") or {}).get("http") or {}
    method = http.get("method") or event.get("httpMethod")
    path = event.get("rawPath") or event.get("path") or "/"
    request_id = getattr(context, "aws_request_id", None) or "local"

    # Try it: a path ending in /error (e.g. GET /items/error) raises; the browser still gets a readable 500.
    if path.endswith("/error"):
        raise RuntimeError("Example failure: the wrapper answers 500 with CORS headers")
    # An error you return yourself keeps its status and gets the CORS headers as well.
    if path.endswith("/missing"):
        return _json(404, {"message": f"Nothing at {path}"}, request_id)

    body = event.get("body")
    if body is not None and event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    query = event.get("queryStringParameters") or {}
    return _json(200, {"method": method, "path": path, "query": query, "body": _parse_json(body)}, request_id)


# A browser script can read X-Request-Id only if the spec lists it in cors.exposeHeaders.
def _json(status, value, request_id):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "X-Request-Id": request_id},
        "body": json.dumps(value),
    }


def _parse_json(text):
    if text is None or text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
