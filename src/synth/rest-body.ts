import {
  asBody,
  type AddressedBlock,
  type ModuleDocument,
  type RawBody as Body,
  type RawValue,
} from '../terraform/document.js';

/**
 * The REST APIs of a module as the checkers read them: each `aws_api_gateway_rest_api` whose `body` is
 * `jsonencode(local.<name>)`, with that local's OpenAPI object taken apart into paths, operations, integrations and
 * gateway responses. String values stay as written (templates that may hold `${...}`). Built once per module
 * document and shared by the apply rules and the security invariants.
 */
export interface RestBody {
  readonly api: AddressedBlock;
  /** `local.<name>` the body encodes, or undefined when the body is not `jsonencode(local.<name>)`. */
  readonly local: string | undefined;
  /** The OpenAPI object (empty when the body could not be read). */
  readonly document: Body;
  readonly paths: readonly RestPathItem[];
  /** `x-amazon-apigateway-gateway-responses`: response type -> gateway response object. */
  readonly gatewayResponses: ReadonlyMap<string, Body>;
}

export interface RestPathItem {
  /** The OpenAPI path key, e.g. `/orders/{orderId}`. */
  readonly path: string;
  readonly item: Body;
  /** Operations by upper-case HTTP method (`x-amazon-apigateway-any-method` as `ANY`). */
  readonly operations: ReadonlyMap<string, RestOperation>;
}

export interface RestOperation {
  readonly method: string;
  /** Where it is, for messages: `aws_api_gateway_rest_api.api body paths["/orders"].get`. */
  readonly where: string;
  readonly operation: Body;
  /** `x-amazon-apigateway-integration`, or undefined when the operation has none. */
  readonly integration: Body | undefined;
}

const OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const views = new WeakMap<ModuleDocument, readonly RestBody[]>();

/** The REST APIs of a module, read once per document. */
export function restBodies(doc: ModuleDocument): readonly RestBody[] {
  let out = views.get(doc);
  if (!out) views.set(doc, (out = doc.ofType('aws_api_gateway_rest_api').map((api) => read(doc, api))));
  return out;
}

function read(doc: ModuleDocument, api: AddressedBlock): RestBody {
  const local =
    typeof api.body.body === 'string'
      ? /^\$\{jsonencode\(local\.([A-Za-z_][\w-]*)\)\}$/.exec(api.body.body)?.[1]
      : undefined;
  const document = asBody(local === undefined ? undefined : doc.locals.get(local)?.value);
  const paths: RestPathItem[] = [];
  for (const [path, value] of Object.entries(asBody(document.paths))) {
    const item = asBody(value);
    const operations = new Map<string, RestOperation>();
    for (const [key, op] of Object.entries(item)) {
      const method =
        key === 'x-amazon-apigateway-any-method' ? 'ANY' : OPERATIONS.includes(key) ? key.toUpperCase() : undefined;
      if (!method) continue;
      const operation = asBody(op);
      const integration = operation['x-amazon-apigateway-integration'];
      operations.set(method, {
        method,
        where: `${api.address} body paths[${JSON.stringify(path)}].${key}`,
        operation,
        integration: integration === undefined ? undefined : asBody(integration),
      });
    }
    paths.push({ path, item, operations });
  }
  const gatewayResponses = new Map(
    Object.entries(asBody(document['x-amazon-apigateway-gateway-responses'])).map(([k, v]) => [k, asBody(v)]),
  );
  return { api, local, document, paths, gatewayResponses };
}

/** The integration responses of an operation's integration, by selection key (`default`, a pattern). */
export function integrationResponses(integration: Body | undefined): Array<[string, Body]> {
  return Object.entries(asBody(integration?.responses)).map(([k, v]) => [k, asBody(v)]);
}

/** The headers an operation declares for a status code (its method response). */
export function declaredHeaders(operation: Body, status: RawValue | undefined): Body {
  return asBody(asBody(asBody(operation.responses)[String(status)]).headers);
}
