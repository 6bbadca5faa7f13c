/**
 * What an attribution verdict says (src/judge/egress.ts decides it): its evidence by name, which
 * vantages, which targets and controls, which statuses, and a hint fitting the vantage's platform.
 */
import type { Finding, RunnerEnvironment, VantageKind } from '../result/model.js';
import { vantageName } from '../result/vantage-words.js';
import type { CellEvidence, EgressVerdict, Job, Reach, ReachGrid, VantageAnswer } from './types.js';

interface Context {
  jobs: readonly Job[];
  vantages: readonly VantageAnswer[];
  grid: ReachGrid;
}

const hostPort = (host: string, port: number) =>
  host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;

/** `relay:587`, `control smtp.example.net:587`. */
function jobName(job: Job | undefined): string {
  if (!job) return '?';
  return `${job.control ? 'control ' : ''}${hostPort(job.target.name, job.port.port)}`;
}

const nameOf = (v: VantageAnswer | undefined) =>
  v ? vantageName({ label: v.label, runner: v.runner }) : '?';

const list = (items: readonly string[]) => items.join(', ');

/** What the vantage's own network is, for a hint about its egress on a port. */
function egressHint(v: VantageAnswer, port: number): string {
  if (v.kind === 'runner') return RUNNER_HINTS[v.runner ?? 'local'](port);
  return PLATFORM_HINTS[v.kind](port);
}

const SUBMIT = 'submit on 587, 465 or 2525';

const PLATFORM_HINTS: Record<Exclude<VantageKind, 'runner'>, (port: number) => string> = {
  'aws-lambda': (port) =>
    port === 25
      ? `AWS blocks outbound port 25 from Lambda outside a VPC (and from EC2 unless AWS lifts it): ${SUBMIT}, or run in a VPC behind a NAT gateway whose port-25 limit AWS has lifted.`
      : `Check the egress rules of this function's network (VPC security group, NACL, NAT) for port ${port}.`,
  'function-url': (port) => PLATFORM_HINTS['aws-lambda'](port),
  gcp: (port) =>
    port === 25
      ? `Google Cloud blocks outbound port 25 from Cloud Run, Cloud Functions and Compute Engine: ${SUBMIT}.`
      : `Check the egress rules of this function's network (VPC connector, firewall rules, Cloud NAT) for port ${port}.`,
};

const RUNNER_HINTS: Record<RunnerEnvironment, (port: number) => string> = {
  'github-hosted': (port) =>
    port === 25
      ? `GitHub-hosted runners run in Azure, which blocks outbound port 25 for most subscriptions: ${SUBMIT}, or probe 25 from a self-hosted runner or a cloud vantage where it is open.`
      : `The network of GitHub-hosted runners does not let port ${port} out here (an organisation's network policy or private networking can): ${SUBMIT}.`,
  'self-hosted': (port) =>
    `The network of this self-hosted runner blocks port ${port} outbound: check its egress firewall${port === 25 ? ", and on a cloud VM the provider's port-25 policy" : ''}.`,
  'github-actions': (port) =>
    `The network of this GitHub Actions runner blocks port ${port} outbound (GitHub-hosted runners run in Azure, which blocks 25 for most subscriptions): ${SUBMIT}.`,
  ci: (port) => `The network of this CI runner blocks port ${port} outbound: check its egress firewall.`,
  local: (port) =>
    `The network this machine is on blocks port ${port} outbound${port === 25 ? ' (most home and office ISPs block 25)' : ''}: check its egress firewall, or ${SUBMIT}.`,
};

/** A failure as its evidence names it: `timeout`, `refused`. */
const statusOf = (reach: Reach | undefined) => reach ?? 'not probed';

function failedVerb(reach: Reach | undefined): string {
  if (reach === 'refused') return 'refuses';
  if (reach === 'unreachable') return 'rejects';
  if (reach === 'reset') return 'resets';
  return 'drops';
}

/** A reject is an answer: a cloud's egress block drops silently, so say which one this was. */
function rejectNote(failures: ReadonlyArray<Reach | undefined>): string {
  if (failures.every((r) => r === 'timeout')) return ' (silently dropped)';
  return ' (rejected, not dropped: a firewall on the path answers, which a cloud egress block rarely does)';
}

export function describeVerdict(
  verdict: EgressVerdict,
  cell: CellEvidence,
  { jobs, vantages, grid }: Context,
): { message: string; hint: string } {
  const subject = jobs[cell.subject] as Job;
  const v = vantages[cell.vantage] as VantageAnswer;
  const here = nameOf(v);
  const port = subject.port.port;
  const reach = grid[cell.subject]?.[cell.vantage];
  const reachFrom = (j: number, wi: number) => grid[j]?.[wi];
  const answersFrom = (j: number) =>
    vantages.flatMap((w, wi) => (reachFrom(j, wi) === 'reached' ? [nameOf(w)] : []));
  const opened = cell.openHere.map((j) => jobName(jobs[j]));
  switch (verdict) {
    case 'egress-blocked': {
      const probedHere = jobs.flatMap((job, j) => {
        const r = reachFrom(j, cell.vantage);
        return job.port.port === port && r !== undefined ? [{ job, r }] : [];
      });
      const onPort = probedHere.map(({ job, r }) => `${jobName(job)} ${statusOf(r)}`);
      const live = cell.liveControls.map((j) => `${jobName(jobs[j])} answers from ${list(answersFrom(j))}`);
      return {
        message: `port ${port} is blocked from ${here}: nothing on it answers there (${list(onPort)})${rejectNote(probedHere.map(({ r }) => r))}, while ${list(live)}`,
        hint: egressHint(v, port),
      };
    }
    case 'target-filtered':
      return {
        message: `${jobName(subject)} ${failedVerb(reach)} ${here} (${statusOf(reach)}) but answers from ${list(cell.elsewhere.map((wi) => nameOf(vantages[wi])))}, and port ${port} works from ${here} (${list(opened)} answers): the target filters this vantage`,
        hint:
          reach === 'timeout'
            ? `The target's firewall drops connections from ${here} (an allow-list, a blocklist or geo-blocking): allow its addresses there, or ask the provider.`
            : `The target refuses connections from ${here} (a firewall reject or an access list of the service): allow its addresses there, or ask the provider.`,
      };
    case 'target-down': {
      const tried = cell.tried.map(
        (wi) => `${nameOf(vantages[wi])}: ${statusOf(reachFrom(cell.subject, wi))}`,
      );
      const refusedEverywhere = cell.tried.every((wi) => reachFrom(cell.subject, wi) === 'refused');
      return {
        message: `${jobName(subject)} answers from no vantage (${list(tried)}) while port ${port} works from ${here} (${list(opened)} answers): ${refusedEverywhere ? `the target is down: nothing accepts port ${port} there` : 'the target is down, or drops every vantage tried'}`,
        hint: `Check that the server runs and listens on port ${port} and that its firewall lets connections in: the networks probed from let port ${port} out.`,
      };
    }
    case 'inconclusive':
      return inconclusive(subject, cell, { jobs, vantages, grid }, here, answersFrom);
  }
}

function inconclusive(
  subject: Job,
  cell: CellEvidence,
  { jobs, vantages, grid }: Context,
  here: string,
  answersFrom: (j: number) => string[],
): { message: string; hint: string } {
  const port = subject.port.port;
  const reach = grid[cell.subject]?.[cell.vantage];
  const elsewhere = answersFrom(cell.subject);
  const seen =
    elsewhere.length > 0
      ? `${jobName(subject)} ${statusOf(reach)} from ${here} but answers from ${list(elsewhere)}`
      : `${jobName(subject)} answers from no vantage (${list(cell.tried.map((wi) => `${nameOf(vantages[wi])}: ${statusOf(grid[cell.subject]?.[wi])}`))})`;
  const deadControls = cell.controls.filter((j) => j !== cell.subject).map((j) => jobName(jobs[j]));
  if (subject.control && deadControls.length === 0) {
    return {
      message: `${seen}: either the network of every vantage blocks port ${port}, or the control is down`,
      hint: `Check the control, or name another on port ${port} (\`controls\`): a server known to answer on ${port} from anywhere.`,
    };
  }
  const missing =
    deadControls.length > 0
      ? `the controls on port ${port} (${list(deadControls)}) answer from no vantage, so they prove nothing`
      : `there is no control on port ${port} and nothing else on it answers from ${here}`;
  return {
    message: `${seen}; missing: ${missing}. This network's egress block cannot be told from the target filtering it`,
    hint: `Add a control on port ${port} (\`controls\`): a server known to answer on ${port} from anywhere. Then the run says whether ${here} or the target is at fault.`,
  };
}

/** The single-vantage guess stays, saying how to prove it. */
export function guessHint(finding: Finding): string {
  return `${finding.hint} To prove it, add a control on port ${finding.port} (\`controls\`) or another vantage (\`vantages\`).`;
}
