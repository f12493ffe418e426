import { ToolError } from './tool.error';

/** One field that failed validation. */
export interface FieldIssue {
  /** Dotted path of the field, `''` for the whole input. */
  path: string;
  message: string;
}

/**
 * Most issues an `INVALID_ARGUMENTS` error reports (in its message and in `details.issues`); the
 * count of the others is `details.totalIssues`. A caller chooses how many issues its arguments
 * have: one per element of a 100 KB array made a 25 MB answer, and took the server's event loop
 * as long to build it. The first ones are what a model needs to correct the call.
 */
export const MAX_REPORTED_ISSUES = 20;

/**
 * Arguments that fail the tool's input schema: answered as a tool result with `isError: true`,
 * code `INVALID_ARGUMENTS` and the field-level issues (the first {@link MAX_REPORTED_ISSUES}, with
 * `details.totalIssues` when there were more), so the model can correct the call.
 */
export class InvalidArgumentsError extends ToolError {
  /** The issues reported: at most {@link MAX_REPORTED_ISSUES}. */
  readonly issues: FieldIssue[];

  /**
   * @param issues what was found, or its first ones
   * @param totalIssues how many were found, when `issues` holds only the first ones
   */
  constructor(issues: FieldIssue[], totalIssues = issues.length) {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES);
    const total = Math.max(totalIssues, issues.length);
    const more = total > shown.length ? `; and ${total - shown.length} more` : '';
    super(
      'INVALID_ARGUMENTS',
      `Invalid arguments: ${shown.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}${more}`,
      {
        details: more ? { issues: shown, totalIssues: total } : { issues: shown },
        suggestions: ['Check the arguments against the tool inputSchema and call again.'],
        fault: 'caller',
      },
    );
    this.issues = shown;
  }
}
