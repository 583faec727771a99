/** The CDKTF constructs, for `new CorsRestApi(stack, 'api', {...})` in your own stack. */
export { CorsRestApi, type CorsRestApiProps, type CorsRestApiCors, type CorsRestApiRoute } from './cors-rest-api.js';
export { CorsHttpApi, type CorsHttpApiProps } from './cors-http-api.js';
export { CorsFunctionUrl, type CorsFunctionUrlProps } from './cors-function-url.js';
export { CorsLambda, type CorsLambdaProps } from './cors-lambda.js';
export { CorsWrapperLayer, type CorsWrapperLayerProps } from './cors-wrapper-layer.js';
export { FrontendBucket, type FrontendBucketProps } from './frontend-bucket.js';
export { CorsModuleStack, type CorsModuleStackProps } from './cors-module-stack.js';
export {
  AuthorizerInputs,
  lambdaAuthorizerUri,
  type AuthorizerInputsProps,
  type MethodAuth,
  type ResolvedAuthorizer,
} from './authorizers.js';
