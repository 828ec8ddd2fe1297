import { join } from 'node:path';
import { z } from 'zod';
import { SchemaError } from '../../errors.js';
import { projectPath } from '../../project-root.js';
import type { CodeCheck } from './code-check.js';
import { runPython } from './run-python.js';

/**
 * Shipped next to this file's source (also when `npm start` runs the compiled dist/); it parses the script with
 * Python's `ast` (see the script's docstring).
 */
const INSPECTOR = projectPath('src', 'codegen', 'checks', 'inspect-training-script.py');

/** The environment variable a generated script reads its wall-clock budget from (the runner sets it). */
export const BUDGET_ENV = 'SHERPA_RUN_BUDGET_SECONDS';
/** The folder the runner syncs to the results and restores on resume (trainium-runner/sherpa_runner/runner.py). */
export const CHECKPOINT_ENV = 'SHERPA_CHECKPOINT_DIR';

/** The accelerator a code version is written for (issue 12, item 5). */
export type CodeBackend = 'neuron' | 'cuda';

const FindingSchema = z.object({ rule: z.string(), line: z.number().int(), message: z.string() });
const InspectionSchema = z.object({
  findings: z.array(FindingSchema),
  facts: z.record(z.string(), z.union([z.number(), z.boolean()])),
});
export type Finding = z.infer<typeof FindingSchema>;

/** Rules the inspector reports, in the order and with the names shown in the thread; the device rules follow
 * the backend (CUDA forbidden and torch_xla required on `neuron`, the reverse on `cuda`). */
const DEVICE_CHECKS: Record<CodeBackend, { name: string; rules: string[] }[]> = {
  neuron: [
    { name: 'Runs on Trainium (torch_xla device and sync)', rules: ['trainium'] },
    { name: 'No CUDA', rules: ['cuda'] },
  ],
  cuda: [
    { name: 'Runs on a GPU (CUDA device)', rules: ['gpu'] },
    { name: 'No torch_xla', rules: ['xla'] },
  ],
};

function namedChecks(backend: CodeBackend): { name: string; rules: string[] }[] {
  return [
    { name: 'METRICS line per step', rules: ['metrics'] },
    ...DEVICE_CHECKS[backend],
    { name: 'No subprocess, shell or dynamic code', rules: ['process', 'dynamic-code'] },
    { name: 'Network only to allowed dataset hosts', rules: ['network'] },
    { name: 'Stops within the wall-clock budget', rules: ['budget'] },
    {
      name: `Checkpoints to ${CHECKPOINT_ENV} and resumes (model, optimizer, step; on SIGTERM)`,
      rules: ['checkpoint'],
    },
  ];
}

export function describeFinding(finding: Finding): string {
  return finding.line > 0 ? `line ${finding.line}: ${finding.message}` : finding.message;
}

/** Run the AST inspector on `workDir/train.py` and fold its findings into named pass/fail checks. */
export async function inspectScript(
  workDir: string,
  options: { allowedHosts: string[]; python?: string; backend?: CodeBackend; objectiveMetric?: string },
): Promise<{ checks: CodeCheck[]; findings: Finding[] }> {
  const backend = options.backend ?? 'neuron';
  const result = await runPython(
    [
      INSPECTOR,
      join(workDir, 'train.py'),
      JSON.stringify({
        allowedHosts: options.allowedHosts,
        budgetEnv: BUDGET_ENV,
        checkpointEnv: CHECKPOINT_ENV,
        backend,
        ...(options.objectiveMetric ? { objective: options.objectiveMetric } : {}),
      }),
    ],
    { cwd: workDir, python: options.python },
  );
  let parsed: z.infer<typeof InspectionSchema>;
  try {
    parsed = InspectionSchema.parse(JSON.parse(result.stdout));
  } catch (error) {
    throw new SchemaError('The code inspector output', result.stderr.slice(-500) || String(error), {
      cause: error,
    });
  }
  // A syntax error is reported by py_compile with the interpreter's own wording.
  const findings = parsed.findings.filter((finding) => finding.rule !== 'syntax');
  // The objective's check is shown only for code that declares one (issue 13, item 2).
  const named = options.objectiveMetric
    ? [
        ...namedChecks(backend),
        { name: `Prints the objective (${options.objectiveMetric})`, rules: ['objective'] },
      ]
    : namedChecks(backend);
  const checks = named.map(({ name, rules }) => {
    const failed = findings.filter((finding) => rules.includes(finding.rule));
    return failed.length === 0
      ? { name, passed: true }
      : { name, passed: false, detail: failed.slice(0, 3).map(describeFinding).join('; ').slice(0, 500) };
  });
  return { checks, findings };
}
