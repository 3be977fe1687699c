/**
 * Turns the records of the reliability suites into docs/reliability.md and a console summary.
 * Every figure in the document comes from the run that wrote it.
 */
import { availableParallelism, cpus } from 'node:os';
import { PENDING_FIXES } from './support.js';

type Rec = Record<string, unknown>;

/** One fault of faults.test.ts, as it records it. */
export interface FaultResult {
  index: number;
  name: string;
  defect?: number;
  outcome: string;
  ms: number;
  requests: number;
  survived: boolean;
}

const table = (head: string[], rows: unknown[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`),
  ].join('\n');

export function renderReport(records: Rec[]): { markdown: string; summary: string } {
  const by = (section: string) => records.find((r) => r.section === section);
  const faults = by('faults');
  const fuzz = by('fuzz');
  const load = by('load');
  const full = records.some((r) => r.full === true);
  const out: string[] = [];
  const lines: string[] = [`reliability (${full ? 'full' : 'reduced'} run)`];

  out.push(
    '# Reliability',
    '',
    'What `npm run test:reliability` measured on its last full run (the suite lives in',
    '`test/reliability/`; `npm test` runs it at a reduced size). Written by the run itself; do not',
    'edit by hand.',
    '',
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), shared.`,
    `- Fixes still pending when it ran: ${[...PENDING_FIXES].join(', ') || 'none'} (their tests run as expected failures; see \`PENDING_FIXES\` in test/reliability/support.ts).`,
    '',
  );

  if (faults !== undefined) {
    const results = (faults.results as FaultResult[])
      .slice()
      .sort((a, b) => a.name.localeCompare(b.name));
    const survived = results.filter((r) => r.survived).length;
    const pending = results.filter((r) => !r.survived && r.defect !== undefined).length;
    out.push(
      '## Faults',
      '',
      `The facade (\`LLM\`) in front of a loopback fault server (test/reliability/fault-server.ts): ${results.length} faults tried, ${survived} survived, ${pending} waiting for a pending fix, ${results.length - survived - pending} failed. "Survived" means: the outcome below (a typed error, or FAILED with a message), inside the deadline, the requests bounded, no POST repeated where the model could have started, the key in no message. Unhandled rejections: ${faults.unhandledRejections}. Left after the suite: ${faults.leftTimers} timers, ${faults.leftSockets} sockets.`,
      '',
      table(
        ['fault', 'outcome', 'ms', 'requests', 'result'],
        results.map((r) => [
          r.name,
          r.outcome,
          r.ms,
          r.requests,
          r.survived
            ? 'survived'
            : r.defect !== undefined
              ? `pending fix (defect ${r.defect})`
              : 'FAILED',
        ]),
      ),
      '',
    );
    lines.push(`faults: ${results.length} tried, ${survived} survived, ${pending} pending a fix`);
  }

  if (fuzz !== undefined) {
    const outcomes = fuzz.outcomes as Record<string, number>;
    const entries = Object.entries(outcomes);
    const perMethod = entries.filter(([k]) =>
      /^(run|runAsync|stream|runStream|constructor): /.test(k),
    );
    const reasons = entries.filter(([k]) => k.includes('rejected for')).sort((a, b) => b[1] - a[1]);
    const skipped = entries.filter(([k]) => k.startsWith('skipped'));
    out.push(
      '## Fuzzing',
      '',
      `fast-check, seed ${fuzz.seed}, ${fuzz.cases} cases (80 % calls of run / runAsync / stream / run with stream, 20 % constructor options). Every case either sent exactly one body equal to the one an independent model of the body precedence builds and valid for the spec's zod \`ExecuteRequest\`, or rejected with ValidationError before any request; the caller's objects were deep-frozen and unchanged. Left after the suite: ${fuzz.leftTimers} timers, ${fuzz.leftSockets} sockets.`,
      '',
      table(['outcome', 'cases'], perMethod),
      '',
      'Why bad input was refused (the first problem the model named):',
      '',
      table(['reason', 'cases'], reasons),
      '',
      ...(skipped.length > 0
        ? ['Cases left out until a pending fix lands:', '', table(['', 'cases'], skipped), '']
        : []),
    );
    const sent = perMethod
      .filter(([k]) => k.endsWith('sent') || k.endsWith('ran'))
      .reduce((a, [, v]) => a + v, 0);
    lines.push(
      `fuzz: seed ${fuzz.seed}, ${fuzz.cases} cases, ${sent} sent or built, the rest ValidationError`,
    );
  }

  if (load !== undefined) {
    const a = load.asyncRuns as Rec | undefined;
    const p = load.abortedPolls as Rec | undefined;
    const s = load.streams as Rec | undefined;
    const k = load.soak as Rec | undefined;
    const e = load.exit as Rec | undefined;
    out.push('## Load', '');
    const rows: unknown[][] = [];
    if (a)
      rows.push(
        [
          `${a.runs} concurrent runs, async, three polls each: all SUCCESS`,
          `${a.packageMs} ms, peak RSS ${a.packagePeakRssMB} MB`,
        ],
        [`the same sequences with plain fetch`, `${a.fetchMs} ms, peak RSS ${a.fetchPeakRssMB} MB`],
        ['ratio package / fetch', `time x${a.timeRatio}, peak RSS x${a.rssRatio}`],
      );
    if (p)
      rows.push([
        `${p.polls} polls aborted mid-way (half in a held GET, half in a pause)`,
        `all AbortError; median ${p.medianRejectionMs} ms, slowest ${p.slowestRejectionMs} ms after the abort; ${p.timersLeft} timers left`,
      ]);
    if (s)
      rows.push([
        `${s.streams} concurrent streams of ${s.tokensEach} tokens`,
        `all SUCCESS, every token, in ${s.ms} ms`,
      ]);
    if (k)
      rows.push([
        `${k.calls}-call soak (10 at a time, heap after GC sampled 20 times)`,
        `${k.bytesPerCall} bytes per call (least squares), ${k.heapGrowthKB} KB from first to last sample, ${k.ms} ms, peak RSS ${k.peakRssMB} MB`,
      ]);
    out.push(table(['what', 'measured'], rows), '');
    out.push(
      '## Leaks',
      '',
      `After each suite: faults ${faults?.leftTimers ?? '-'} timers / ${faults?.leftSockets ?? '-'} sockets left, fuzzing ${fuzz?.leftTimers ?? '-'} / ${fuzz?.leftSockets ?? '-'}, load ${load.leftTimers} / ${load.leftSockets} (\`process.getActiveResourcesInfo()\`, against the count before the suite).`,
      '',
      ...(e
        ? [
            `A child process that made ${e.callKinds} kinds of call (run, run going async, runAsync, poll, syncPoll, a stream read whole, left early and aborted, an aborted run, a run and a syncPoll past their deadline, a 500, a retried 503, bad options) exited on its own ${e.exitAfterMs} ms after its last call, with exit code 0; active at its end: ${(e.activeAtEnd as string[]).join(', ') || 'nothing'}.`,
            '',
          ]
        : []),
    );
    if (a)
      lines.push(`load: ${a.runs} async runs x${a.timeRatio} time, x${a.rssRatio} RSS vs fetch`);
    if (k) lines.push(`soak: ${k.calls} calls, ${k.bytesPerCall} bytes/call`);
  }
  return { markdown: `${out.join('\n')}\n`, summary: lines.join('\n') };
}
