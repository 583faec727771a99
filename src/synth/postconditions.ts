import { CorsGenError, type ErrorKind } from '../errors.js';
import { moduleDocument, type ModuleDocument } from '../terraform/document.js';
import { checkApplyRules } from './apply-rules.js';
import type { TerraformDocument } from './clean-document.js';
import { checkSecurityInvariants } from './security-invariants.js';

/** A rule a synthesized module breaks: a security invariant (by its code) or an apply rule (by its id). */
export interface ModuleViolation {
  readonly rule: string;
  /** The Terraform address at fault, e.g. `aws_iam_role.lambda`. */
  readonly address: string;
  readonly message: string;
}

/**
 * A module cors-gen synthesized breaks one of its own rules: a bug in cors-gen, never in the user's spec (the
 * spec was valid), so it is an internal error and nothing is written.
 */
export class ModulePostconditionError extends CorsGenError {
  override readonly name = 'ModulePostconditionError';
  readonly kind: ErrorKind = 'internal';
  readonly code = 'module-postcondition';

  constructor(
    readonly module: string,
    readonly violations: readonly ModuleViolation[],
  ) {
    const [first] = violations;
    const more =
      violations.length > 1
        ? ` (and ${violations.length - 1} more: ${[...new Set(violations.slice(1).map((v) => v.rule))].join(', ')})`
        : '';
    // The CLI adds the request to report it, as for every internal error.
    super(
      `the module "${module}" that cors-gen built breaks its rule ${first!.rule} at ${first!.address}: ${first!.message}${more}. Nothing was written; the fault is cors-gen's, not your spec's.`,
    );
  }
}

/**
 * Every module checker on one document, indexed once: the security invariants, then the apply rules. Pure; the
 * same document gives the same violations in the same order.
 */
export function checkModule(document: TerraformDocument | ModuleDocument): ModuleViolation[] {
  const ix = moduleDocument(document);
  return [
    ...checkSecurityInvariants(ix).map(({ code, address, message }) => ({ rule: code, address, message })),
    ...checkApplyRules(ix),
  ];
}

/**
 * Throws ModulePostconditionError when the synthesized module of `name` breaks any rule. `userOwned` says which
 * addresses hold what the user wrote and cors-gen keeps as written (the methods of an `openapi:` document with
 * their own integration): `validate` reports on those, they are not cors-gen's output.
 */
export function assertModulePostconditions(
  name: string,
  document: TerraformDocument,
  userOwned: (address: string) => boolean = () => false,
): void {
  const violations = checkModule(document).filter((v) => !userOwned(v.address));
  if (violations.length > 0) throw new ModulePostconditionError(name, violations);
}
