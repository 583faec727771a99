/**
 * A small model of the AWS behaviour the generated modules rely on, as one plain JSON-able object, driven by the
 * replica's provisioners through the harness's model server (harness.ts): each call is
 * `{ type, address, id, args, force_new }` plus the workspace's region. A refused call answers AWS's error text,
 * which makes the provisioner, and so the `terraform apply`, fail as the real provider would.
 *
 * Modelled, with sources:
 * - A deployment is a snapshot of the REST API when it is created; a stage serves the one deployment it points at;
 *   a deployment a stage points at cannot be deleted ("Active stages pointing to this deployment must be moved or
 *   deleted"): https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html and
 *   terraform-provider-aws website/docs/r/api_gateway_deployment.html.markdown.
 * - One variable path part per level: "A sibling ({x}) of this resource already has a variable path part -- only
 *   one is allowed" (error text quoted in github.com/serverless/serverless/issues/3075).
 * - Methods, integrations and responses are keyed by (API, resource, HTTP method[, status]) as in the API
 *   (https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html); deleting a resource deletes its
 *   children and methods (https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteResource.html).
 * - `aws_api_gateway_rest_api.body` with `put_rest_api_mode = "overwrite"` replaces the whole definition
 *   (https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html, mode "overwrite").
 * - A non-empty bucket cannot be deleted (BucketNotEmpty, https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html);
 *   `force_destroy` makes the provider empty it first (terraform-provider-aws website/docs/r/s3_bucket.html.markdown).
 * - IAM role names are unique in the account across regions (EntityAlreadyExists,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); Lambda function names, log group
 *   names and APIs are regional.
 */
/** A refused call: AWS's error code and message. */
class AwsError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
  }
}

/** The region of the call being handled (calls are handled one at a time). */
let region = '';

/**
 * Applies one call to the account model (a plain object, changed in place). Returns undefined when AWS would
 * accept it, else AWS's error text.
 */
export function handle(model, op, call, callRegion) {
  region = callRegion;
  model.regions ??= {};
  model.roles ??= {};
  model.buckets ??= {};
  model.objects ??= {};
  model.log ??= [];
  const r = (model.regions[region] ??= { restApis: {}, functions: {}, logGroups: {}, httpApis: {}, other: {} });
  const args = { ...(call.force_new ?? {}), ...(call.args ?? {}) };
  try {
    if (op === 'put') put(model, r, call.type, call.id, args);
    else {
      remove(model, r, call.type, call.id, args);
      delete model.objects[call.id];
    }
    model.log.push(`${region} ${op} ${call.address}`);
    return undefined;
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    model.log.push(`${region} ${op} ${call.address} FAILED ${e.message}`);
    return e.message;
  }
}

/** A computed attribute (`.arn`, `.invoke_arn`, ...) as the replica writes it: `<attr>-<replica id>`. */
export function computed(attr, id) {
  return `${attr}-${id}`;
}

// ---- helpers ----------------------------------------------------------------------------------------------------

/** The replica id inside a reference value (`arn-<id>`, `<id>`), or the value itself. */
function idOf(ref) {
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(String(ref));
  return m ? m[1] : String(ref);
}

function restApi(r, ref) {
  const api = r.restApis[idOf(ref)];
  if (!api) throw new AwsError('NotFoundException', 'Invalid REST API identifier specified');
  return api;
}

function functionByRef(model, r, ref) {
  const byName = r.functions[ref];
  if (byName) return byName;
  // A function named by its ARN is one the module does not own (a Lambda authorizer, an input): it exists in the
  // account before the module, and the module only adds statements to its policy.
  if (typeof ref === 'string' && /^arn:aws[a-z-]*:lambda:/.test(ref))
    return ((r.externalFunctions ??= {})[ref] ??= { permissions: {} });
  const obj = model.objects[idOf(ref)];
  const fn = obj && r.functions[obj.name];
  if (!fn) throw new AwsError('ResourceNotFoundException', `Function not found: ${ref}`);
  return fn;
}

function bucketByRef(model, ref) {
  const bucket = model.buckets[ref] ?? model.buckets[model.objects[idOf(ref)]?.name];
  if (!bucket) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist');
  return bucket;
}

function isVariable(part) {
  return /^\{.+\}$/.test(part);
}

/** The resource's full path in its API's tree. */
function fullPath(api, id) {
  const res = api.resources[id];
  if (!res || res.parentId === null) return '/';
  const parent = fullPath(api, res.parentId);
  return `${parent === '/' ? '' : parent}/${res.pathPart}`;
}

function checkSiblings(api, id, parentId, pathPart) {
  for (const [otherId, other] of Object.entries(api.resources)) {
    if (otherId === id || other.parentId !== parentId) continue;
    if (other.pathPart === pathPart)
      throw new AwsError(
        'ConflictException',
        `Another resource with the same parent already has this name: ${pathPart}`,
      );
    if (isVariable(pathPart) && isVariable(other.pathPart))
      throw new AwsError(
        'BadRequestException',
        `A sibling (${other.pathPart}) of this resource already has a variable path part -- only one is allowed`,
      );
  }
}

function deleteResourceTree(api, id) {
  for (const [childId, child] of Object.entries(api.resources))
    if (child.parentId === id) deleteResourceTree(api, childId);
  for (const key of Object.keys(api.methods)) if (key.startsWith(`${id} `)) delete api.methods[key];
  delete api.resources[id];
}

function method(api, resourceId, httpMethod) {
  const m = api.methods[`${resourceId} ${httpMethod}`];
  if (!m) throw new AwsError('NotFoundException', 'Invalid Method identifier specified');
  return m;
}

/** What a deployment captures: every method with its integration and responses, by path, plus gateway responses. */
function snapshot(api) {
  const paths = {};
  const methods = Object.entries(api.methods);
  if (methods.length === 0) throw new AwsError('BadRequestException', "The REST API doesn't contain any methods");
  for (const [key, m] of methods) {
    const [resourceId, httpMethod] = key.split(' ');
    if (!m.integration) throw new AwsError('BadRequestException', 'No integration defined for method');
    (paths[fullPath(api, resourceId)] ??= {})[httpMethod] = structuredClone(m);
  }
  return { paths, gatewayResponses: structuredClone(api.gatewayResponses) };
}

/** Replaces the API's definition with an OpenAPI 3 document with API Gateway extensions. */
function importBody(api, body, mode) {
  let doc;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new AwsError('BadRequestException', 'Invalid OpenAPI input.');
  }
  if (!doc || typeof doc !== 'object' || (!doc.openapi && !doc.swagger) || typeof doc.paths !== 'object')
    throw new AwsError('BadRequestException', 'Invalid OpenAPI input.');
  const byPath = new Map([['/', api.rootId]]);
  for (const [id] of Object.entries(api.resources)) byPath.set(fullPath(api, id), id);
  if (mode === 'overwrite') {
    // The documentation does not say whether a resource keeps its id when the new definition has the same
    // path; the model assumes it does, the case in which a later DeleteResource/DeleteMethod of a per-resource
    // object can still reach what the body defined.
    const kept = new Set(['/']);
    for (const p of Object.keys(doc.paths))
      p.split('/').forEach((_, i, all) => kept.add(all.slice(0, i + 1).join('/') || '/'));
    for (const [p, id] of [...byPath]) {
      if (kept.has(p) || !api.resources[id]) continue;
      deleteResourceTree(api, id);
      byPath.delete(p);
    }
    for (const p of [...byPath.keys()]) if (!api.resources[byPath.get(p)]) byPath.delete(p);
    api.methods = {};
    api.gatewayResponses = {};
  }
  const resourceFor = (p) => {
    if (byPath.has(p)) return byPath.get(p);
    const cut = p.lastIndexOf('/');
    const parentPath = cut === 0 ? '/' : p.slice(0, cut);
    const parentId = resourceFor(parentPath);
    const pathPart = p.slice(cut + 1);
    const id = `${api.rootId}:${p}`;
    checkSiblings(api, id, parentId, pathPart);
    api.resources[id] = { parentId, pathPart };
    byPath.set(p, id);
    return id;
  };
  for (const [p, item] of Object.entries(doc.paths)) {
    const resourceId = resourceFor(p);
    for (const [verb, op] of Object.entries(item)) {
      const httpMethod = verb === 'x-amazon-apigateway-any-method' ? 'ANY' : verb.toUpperCase();
      if (!['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'].includes(httpMethod)) continue;
      const integration = op['x-amazon-apigateway-integration'];
      const responses = {};
      for (const response of Object.values(integration?.responses ?? {}))
        responses[response.statusCode] = {
          responseParameters: response.responseParameters ?? {},
          responseTemplates: response.responseTemplates ?? {},
        };
      api.methods[`${resourceId} ${httpMethod}`] = {
        integration: integration
          ? {
              type: String(integration.type).toUpperCase(),
              uri: integration.uri ?? null,
              requestTemplates: integration.requestTemplates ?? {},
            }
          : null,
        responses,
      };
    }
  }
  for (const [type, response] of Object.entries(doc['x-amazon-apigateway-gateway-responses'] ?? {}))
    api.gatewayResponses[type] = {
      responseParameters: response.responseParameters ?? {},
      responseTemplates: response.responseTemplates ?? {},
    };
}

// ---- operations -------------------------------------------------------------------------------------------------

function put(model, r, type, id, a) {
  const existing = model.objects[id];
  const creating = !existing;
  switch (type) {
    case 'aws_api_gateway_rest_api': {
      const api = (r.restApis[id] ??= {
        rootId: computed('root_resource_id', id),
        resources: { [computed('root_resource_id', id)]: { parentId: null, pathPart: '' } },
        methods: {},
        gatewayResponses: {},
        deployments: {},
        stages: {},
      });
      api.name = a.name;
      if (a.body && (creating || existing.body !== a.body)) importBody(api, a.body, a.put_rest_api_mode ?? 'overwrite');
      model.objects[id] = { type, region, body: a.body ?? null };
      return;
    }
    case 'aws_api_gateway_resource': {
      const api = restApi(r, a.rest_api_id);
      if (!api.resources[a.parent_id]) throw new AwsError('NotFoundException', 'Invalid Resource identifier specified');
      checkSiblings(api, id, a.parent_id, a.path_part);
      api.resources[id] = { parentId: a.parent_id, pathPart: a.path_part };
      break;
    }
    case 'aws_api_gateway_method': {
      const api = restApi(r, a.rest_api_id);
      if (!api.resources[a.resource_id])
        throw new AwsError('NotFoundException', 'Invalid Resource identifier specified');
      const key = `${a.resource_id} ${a.http_method}`;
      if (creating && api.methods[key])
        throw new AwsError('ConflictException', 'Method already exists for this resource');
      api.methods[key] ??= { integration: null, responses: {} };
      break;
    }
    case 'aws_api_gateway_method_response':
      method(restApi(r, a.rest_api_id), a.resource_id, a.http_method);
      break;
    case 'aws_api_gateway_integration': {
      const m = method(restApi(r, a.rest_api_id), a.resource_id, a.http_method);
      m.integration = { type: a.type, uri: a.uri ?? null, requestTemplates: a.request_templates ?? {} };
      break;
    }
    case 'aws_api_gateway_integration_response': {
      const m = method(restApi(r, a.rest_api_id), a.resource_id, a.http_method);
      if (!m.integration) throw new AwsError('NotFoundException', 'Invalid Integration identifier specified');
      m.responses[a.status_code] = {
        responseParameters: a.response_parameters ?? {},
        responseTemplates: a.response_templates ?? {},
      };
      break;
    }
    case 'aws_api_gateway_gateway_response':
      restApi(r, a.rest_api_id).gatewayResponses[a.response_type] = {
        responseParameters: a.response_parameters ?? {},
        responseTemplates: a.response_templates ?? {},
      };
      break;
    case 'aws_api_gateway_deployment': {
      const api = restApi(r, a.rest_api_id);
      if (creating) api.deployments[id] = snapshot(api);
      break;
    }
    case 'aws_api_gateway_stage': {
      const api = restApi(r, a.rest_api_id);
      if (!api.deployments[a.deployment_id])
        throw new AwsError('NotFoundException', 'Invalid Deployment identifier specified');
      const stage = api.stages[a.stage_name];
      if (creating && stage) throw new AwsError('ConflictException', 'Stage already exists');
      api.stages[a.stage_name] = { deploymentId: a.deployment_id, tfId: id };
      break;
    }
    case 'aws_iam_role': {
      const name = a.name ?? computed('name', id);
      const other = model.roles[name];
      if (other && other.tfId !== id)
        throw new AwsError('EntityAlreadyExists', `Role with name ${name} already exists.`);
      model.roles[name] = { tfId: id, arn: computed('arn', id), attachments: other?.attachments ?? [] };
      model.objects[id] = { type, name };
      return;
    }
    case 'aws_iam_role_policy_attachment': {
      const role = model.roles[a.role];
      if (!role) throw new AwsError('NoSuchEntity', `The role with name ${a.role} cannot be found.`);
      if (!role.attachments.includes(a.policy_arn)) role.attachments.push(a.policy_arn);
      break;
    }
    case 'aws_cloudwatch_log_group': {
      const name = a.name ?? computed('name', id);
      if (creating && r.logGroups[name])
        throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
      r.logGroups[name] = { retention: a.retention_in_days ?? null };
      model.objects[id] = { type, region, name };
      return;
    }
    case 'aws_lambda_function': {
      const name = a.function_name;
      if (creating && r.functions[name])
        throw new AwsError('ResourceConflictException', `Function already exist: ${name}`);
      if (!Object.values(model.roles).some((role) => role.arn === a.role))
        throw new AwsError(
          'InvalidParameterValueException',
          'The role defined for the function cannot be assumed by Lambda.',
        );
      const fn = (r.functions[name] ??= { permissions: {}, url: null });
      Object.assign(fn, {
        runtime: a.runtime,
        handler: a.handler,
        memorySize: a.memory_size ?? null,
        timeout: a.timeout ?? null,
      });
      model.objects[id] = { type, region, name };
      return;
    }
    case 'aws_lambda_permission': {
      const fn = functionByRef(model, r, a.function_name);
      const sid = a.statement_id ?? computed('statement_id', id);
      if (fn.permissions[sid])
        throw new AwsError(
          'ResourceConflictException',
          `The statement id (${sid}) provided already exists. Please choose another statement id, or remove the existing statement.`,
        );
      fn.permissions[sid] = { principal: a.principal, sourceArn: a.source_arn ?? null, action: a.action };
      break;
    }
    case 'aws_lambda_function_url': {
      const fn = functionByRef(model, r, a.function_name);
      if (creating && fn.url)
        throw new AwsError(
          'ResourceConflictException',
          `Failed to create function url config for [functionArn = ${a.function_name}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
        );
      fn.url = { authorizationType: a.authorization_type, cors: a.cors ?? null };
      break;
    }
    case 'aws_s3_bucket': {
      const name = a.bucket ?? computed('bucket', id);
      if (creating && model.buckets[name])
        throw new AwsError(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
        );
      const bucket = (model.buckets[name] ??= { region, objects: [] });
      bucket.forceDestroy = a.force_destroy === true;
      model.objects[id] = { type, name };
      return;
    }
    case 'aws_s3_bucket_website_configuration':
      bucketByRef(model, a.bucket).website = {
        endpoint: computed('website_endpoint', id),
        index: a.index_document ?? null,
      };
      break;
    case 'aws_s3_bucket_public_access_block':
      bucketByRef(model, a.bucket).publicAccessBlock = a;
      break;
    case 'aws_s3_bucket_policy':
      bucketByRef(model, a.bucket).policy = a.policy;
      break;
    case 'aws_s3_bucket_cors_configuration':
      bucketByRef(model, a.bucket).cors = a.cors_rule ?? null;
      break;
    case 'aws_apigatewayv2_api':
      r.httpApis[id] = { name: a.name, cors: a.cors_configuration ?? null, routes: {}, integrations: {}, stages: {} };
      break;
    case 'aws_apigatewayv2_integration':
      httpApi(r, a.api_id).integrations[id] = { type: a.integration_type, uri: a.integration_uri ?? null };
      break;
    case 'aws_apigatewayv2_route': {
      const api = httpApi(r, a.api_id);
      const other = Object.entries(api.routes).find(([otherId, route]) => otherId !== id && route.key === a.route_key);
      if (other)
        throw new AwsError(
          'ConflictException',
          `Unable to complete operation due to concurrent modification. Please try again later.`,
        );
      api.routes[id] = { key: a.route_key, target: a.target ?? null };
      break;
    }
    case 'aws_apigatewayv2_stage': {
      const api = httpApi(r, a.api_id);
      if (creating && api.stages[a.name]) throw new AwsError('ConflictException', `Stage already exists`);
      api.stages[a.name] = { autoDeploy: a.auto_deploy === true };
      break;
    }
    default:
      r.other[id] = { type, args: a };
  }
  model.objects[id] = { type, region, args: a };
}

function httpApi(r, ref) {
  const api = r.httpApis[idOf(ref)];
  if (!api) throw new AwsError('NotFoundException', 'Invalid API identifier specified');
  return api;
}

function remove(model, r, type, id, a) {
  const obj = model.objects[id];
  // The provider treats "not found" on delete as success (e.g. resourceMethodDelete ignores NotFoundException).
  const api =
    type.startsWith('aws_api_gateway_') && type !== 'aws_api_gateway_rest_api'
      ? r.restApis[idOf(a.rest_api_id)]
      : undefined;
  switch (type) {
    case 'aws_api_gateway_rest_api':
      delete r.restApis[id];
      return;
    case 'aws_api_gateway_resource':
      if (api?.resources[id]) deleteResourceTree(api, id);
      return;
    case 'aws_api_gateway_method':
      if (api) delete api.methods[`${a.resource_id} ${a.http_method}`];
      return;
    case 'aws_api_gateway_integration': {
      const m = api?.methods[`${a.resource_id} ${a.http_method}`];
      if (m) Object.assign(m, { integration: null, responses: {} });
      return;
    }
    case 'aws_api_gateway_integration_response':
      delete api?.methods[`${a.resource_id} ${a.http_method}`]?.responses[a.status_code];
      return;
    case 'aws_api_gateway_gateway_response':
      if (api) delete api.gatewayResponses[a.response_type];
      return;
    case 'aws_api_gateway_deployment':
      if (!api) return;
      if (Object.values(api.stages).some((s) => s.deploymentId === id))
        throw new AwsError('BadRequestException', 'Active stages pointing to this deployment must be moved or deleted');
      delete api.deployments[id];
      return;
    case 'aws_api_gateway_stage':
      if (api) delete api.stages[a.stage_name];
      return;
    case 'aws_iam_role': {
      const role = model.roles[obj?.name];
      if (!role) return;
      if (role.attachments.length)
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
      delete model.roles[obj.name];
      return;
    }
    case 'aws_iam_role_policy_attachment': {
      const role = model.roles[a.role];
      if (role) role.attachments = role.attachments.filter((p) => p !== a.policy_arn);
      return;
    }
    case 'aws_cloudwatch_log_group':
      delete r.logGroups[obj?.name];
      return;
    case 'aws_lambda_function':
      delete r.functions[a.function_name];
      return;
    case 'aws_lambda_permission': {
      const fn =
        r.functions[a.function_name] ??
        r.functions[model.objects[idOf(a.function_name)]?.name] ??
        r.externalFunctions?.[a.function_name];
      if (fn) delete fn.permissions[a.statement_id ?? computed('statement_id', id)];
      return;
    }
    case 'aws_lambda_function_url': {
      const fn = r.functions[a.function_name] ?? r.functions[model.objects[idOf(a.function_name)]?.name];
      if (fn) fn.url = null;
      return;
    }
    case 'aws_s3_bucket': {
      const bucket = model.buckets[obj?.name];
      if (!bucket) return;
      // force_destroy is read from the state, as the provider does before emptying the bucket.
      if (bucket.objects.length && a.force_destroy !== true)
        throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty');
      delete model.buckets[obj.name];
      return;
    }
    case 'aws_s3_bucket_website_configuration':
    case 'aws_s3_bucket_public_access_block':
    case 'aws_s3_bucket_policy':
    case 'aws_s3_bucket_cors_configuration': {
      const bucket = model.buckets[a.bucket] ?? model.buckets[model.objects[idOf(a.bucket)]?.name];
      const key = {
        aws_s3_bucket_website_configuration: 'website',
        aws_s3_bucket_public_access_block: 'publicAccessBlock',
        aws_s3_bucket_policy: 'policy',
        aws_s3_bucket_cors_configuration: 'cors',
      }[type];
      if (bucket) delete bucket[key];
      return;
    }
    case 'aws_apigatewayv2_api':
      delete r.httpApis[id];
      return;
    case 'aws_apigatewayv2_integration':
      delete r.httpApis[idOf(a.api_id)]?.integrations[id];
      return;
    case 'aws_apigatewayv2_route':
      delete r.httpApis[idOf(a.api_id)]?.routes[id];
      return;
    case 'aws_apigatewayv2_stage':
      delete r.httpApis[idOf(a.api_id)]?.stages[a.name];
      return;
    default:
      delete r.other[id];
  }
}
