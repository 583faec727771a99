/**
 * The first phases of a REST API request, in the shape of localstack's `execute_api/handlers/parse.py` and
 * `resource_router.py`: the stage from the first path segment, then the resource over the stage's tree (literal
 * segments before `{param}`, `{proxy+}` last, backtracking between them) and its method (or ANY).
 */
import { randomUUID } from 'node:crypto';
import { decodeSegment, queryPairs } from '../events.js';
import type { PreviewRequest, PreviewResponse } from '../server/http-server.js';
import type { MethodModel, ResourceModel, RestApiModel, StageModel } from './model.js';

/** What the phases after routing read: localstack's `RestApiInvocationContext`. */
export interface RestInvocation {
  readonly api: RestApiModel;
  readonly request: PreviewRequest;
  readonly requestId: string;
  readonly stageName: string;
  readonly stage: StageModel;
  /** The path without the stage, `/orders/42`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Both undefined when no resource and method match: API Gateway's Missing Authentication Token. */
  readonly resource: ResourceModel | undefined;
  readonly method: MethodModel | undefined;
  readonly pathParams: Readonly<Record<string, string>>;
}

/** An invocation that reached a method: what its integration reads. */
export type MethodInvocation = RestInvocation & { readonly resource: ResourceModel; readonly method: MethodModel };

/** The invocation context, or the answer for a request that names no stage of the API. */
export function routeRequest(api: RestApiModel, request: PreviewRequest): RestInvocation | PreviewResponse {
  const requestId = randomUUID();
  const segments = request.rawPath.split('/').slice(1);
  const stageName = decodeSegment(segments[0] ?? '');
  const stage = api.stages.get(stageName);
  if (!stage) {
    // No stage, no deployment: API Gateway answers before any of this API's configuration applies (assumed).
    return {
      status: 403,
      headers: [
        ['Content-Type', 'application/json'],
        ['x-amzn-RequestId', requestId],
        ['x-amzn-ErrorType', 'ForbiddenException'],
      ],
      body: JSON.stringify({ message: 'Forbidden' }),
    };
  }
  const rest = segments.slice(1);
  // A trailing slash names the same resource (assumed).
  if (rest.length > 0 && rest[rest.length - 1] === '') rest.pop();
  const query: Record<string, string> = {};
  for (const [k, v] of queryPairs(request.rawQuery)) query[k] = v;
  const match = matchResource(api.root, rest.map(decodeSegment));
  const method = match ? (match.node.methods.get(request.method) ?? match.node.methods.get('ANY')) : undefined;
  return {
    api,
    request,
    requestId,
    stageName,
    stage,
    path: `/${rest.join('/')}`,
    query,
    resource: method ? match!.node : undefined,
    method,
    pathParams: match?.params ?? {},
  };
}

/** Literal children first, then a `{param}` child, then a greedy `{name+}` child, backtracking between them. */
function matchResource(
  node: ResourceModel,
  segments: readonly string[],
): { node: ResourceModel; params: Record<string, string> } | undefined {
  if (segments.length === 0) return { node, params: {} };
  const [head, ...tail] = segments as [string, ...string[]];
  if (head === '') return undefined;
  for (const child of node.children) {
    if (child.part.startsWith('{')) continue;
    if (child.part === head) {
      const m = matchResource(child, tail);
      if (m) return m;
    }
  }
  for (const child of node.children) {
    const param = /^\{([^+}]+)\}$/.exec(child.part);
    if (!param) continue;
    const m = matchResource(child, tail);
    if (m) return { node: m.node, params: { [param[1]!]: head, ...m.params } };
  }
  for (const child of node.children) {
    const greedy = /^\{(.+)\+\}$/.exec(child.part);
    if (greedy) return { node: child, params: { [greedy[1]!]: segments.join('/') } };
  }
  return undefined;
}
