/** Injection token of the `PolicyAuthorizer` (the Cedar `PolicyEngine`) decisions consult. */
export const PolicyAuthorizerToken = Symbol.for('rampart:policy-authorizer');
