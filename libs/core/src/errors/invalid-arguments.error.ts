import { ToolError } from './tool.error';

/** One field that failed validation. */
export interface FieldIssue {
  /** Dotted path of the field, `''` for the whole input. */
  path: string;
  message: string;
}

/**
 * Arguments that fail the tool's input schema: answered as a tool result with `isError: true`,
 * code `INVALID_ARGUMENTS` and the field-level issues, so the model can correct the call.
 */
export class InvalidArgumentsError extends ToolError {
  constructor(readonly issues: FieldIssue[]) {
    super(
      'INVALID_ARGUMENTS',
      `Invalid arguments: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
      {
        details: { issues },
        suggestions: ['Check the arguments against the tool inputSchema and call again.'],
        fault: 'caller',
      },
    );
  }
}
