/** Messages of the tasks library, as functions of what they name. */
export const INVALID_TASK_OPTION = (where: string, problem: string) => `${where}: ${problem}`;
export const INVALID_MODULE_OPTION = (problem: string) => `Invalid TasksModule options: ${problem}`;
export const COMPENSATION_NOT_FOUND = (tool: string, method: string) =>
  `@Compensate('${method}') on tool ${tool}: the class has no method "${method}"`;
export const TASK_NOT_FOUND = () => 'Failed to retrieve task: Task not found';
export const TASK_ALREADY_TERMINAL = (status: string) =>
  `Cannot cancel task: already in terminal status '${status}'`;
export const TASKS_CAPABILITY_REQUIRED = (method: string) =>
  `Missing required client capability: ${method} needs the io.modelcontextprotocol/tasks extension in the request's client capabilities`;
export const TASK_REQUIRED = (tool: string) =>
  `Tool ${tool} runs only as a task: the client must support tasks`;
export const TASK_FORBIDDEN = (tool: string) => `Tool ${tool} does not run as a task`;
export const WORKER_LOST = (attempts: number) =>
  `The worker running the task stopped (${attempts} run${attempts === 1 ? '' : 's'}); the task gave up`;
export const TASK_CANCELLED = () => 'The task was cancelled by request.';
export const TASK_STARTED = (tool: string) =>
  `Task of ${tool} started: poll it with get_task_status, read its result with get_task_result`;
export const BULLMQ_NEEDS_REDIS = () =>
  'TasksModule runner "bullmq" needs a Redis URL: set storage: { redis: "redis://..." } or runner: { bullmq: { redis } }';
export const TASK_IDEMPOTENCY_KEY_REUSED = (key: string, tool: string) =>
  `The idempotency key "${key}" was already used for a ${tool} task with different arguments.`;
