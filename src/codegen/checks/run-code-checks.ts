import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeCheck } from './code-check.js';
import { inspectScript, type CodeBackend, type Finding } from './inspect-script.js';
import { checkPythonSyntax } from './python-syntax.js';

export interface CodeCheckReport {
  passed: boolean;
  checks: CodeCheck[];
  /** Line-level findings, given to the self-review step so it can fix them. */
  findings: Finding[];
}

/**
 * Every check a script must pass before it is posted for a run approval: Python syntax, the METRICS contract,
 * the backend's device rules (Trainium: torch_xla and no CUDA; GPU: CUDA and no torch_xla), no subprocess or
 * shell, network only to the allowed dataset hosts, a wall-clock budget and the checkpoint contract. Runs in a
 * fresh temporary directory that is always removed.
 */
export async function runCodeChecks(
  code: string,
  options: { allowedHosts: string[]; python?: string; backend?: CodeBackend; objectiveMetric?: string },
): Promise<CodeCheckReport> {
  const workDir = await mkdtemp(join(tmpdir(), 'sherpa-check-'));
  try {
    await writeFile(join(workDir, 'train.py'), code, 'utf8');
    const [syntax, inspection] = await Promise.all([
      checkPythonSyntax(workDir, options.python),
      inspectScript(workDir, options),
    ]);
    // With a syntax error the inspector cannot parse the file, so its other checks say nothing.
    const checks = syntax.passed ? [syntax, ...inspection.checks] : [syntax];
    const findings = syntax.passed
      ? inspection.findings
      : [{ rule: 'syntax', line: 0, message: syntax.detail ?? 'syntax error' }];
    return { passed: checks.every((check) => check.passed), checks, findings };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
