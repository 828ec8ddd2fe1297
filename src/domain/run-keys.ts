/**
 * Where one run's files live in the BlobStore. The scope is what the runner's IAM role may touch
 * (infra/sherpa.yaml): on EC2 `<runner role id>:<instance id>`, so an instance can read only
 * `jobs/<scope>/…` and write only `results/<scope>/…`; the local runner uses `local`. The code is copied into
 * the run's job folder, so the runner needs nothing outside it (besides the content-hashed runner bundle).
 */
export interface RunLocation {
  runId: string;
  scope: string;
}

export function runKeys({ runId, scope }: RunLocation) {
  const jobPrefix = `jobs/${scope}/${runId}/`;
  const resultPrefix = `results/${scope}/${runId}/`;
  return {
    jobPrefix,
    job: `${jobPrefix}job.json`,
    code: `${jobPrefix}train.py`,
    resultPrefix,
    result: `${resultPrefix}result.json`,
    progress: `${resultPrefix}progress.json`,
    artifact: (name: string) => `${resultPrefix}${name}`,
  };
}

/** Run ids sort by time and say which paper they belong to: `r_<paper-suffix>_<base36 time><random>`. */
export function newRunId(paperId: string, now: Date, random: () => number = Math.random): string {
  const suffix = paperId.replace(/^p_/, '').slice(0, 8);
  const noise = Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `r_${suffix}_${now.getTime().toString(36)}${noise}`;
}
