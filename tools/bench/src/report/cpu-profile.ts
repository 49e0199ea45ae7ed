import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (node --cpu-prof) the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    hitCount?: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  /** `function (file:line)`, paths shortened to the package or app they belong to. */
  frame: string;
  selfPct: number;
}

function shortUrl(url: string): string {
  const noScheme = url.replace(/^file:\/\//, '');
  const nm = noScheme.lastIndexOf('node_modules/');
  if (nm >= 0)
    return noScheme
      .slice(nm + 'node_modules/'.length)
      .replace(/^\.pnpm\/[^/]+\/node_modules\//, '');
  const repo = /\/(apps|packages)\/(.+)$/.exec(noScheme);
  return repo ? `${repo[1]}/${repo[2]}` : noScheme || '(native)';
}

/** Pseudo-frames of a process waiting, not working: left out so shares are of busy time. */
const NOT_WORK = new Set(['(idle)', '(program)', '(root)']);

/** Functions by self time (samples where they were on top of the stack) as % of busy samples. */
export function hottestFunctions(profile: CpuProfile, top = 15): HotFunction[] {
  const byFrame = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || NOT_WORK.has(node.callFrame.functionName)) continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const frame = url ? `${name} (${shortUrl(url)}:${lineNumber + 1})` : name;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + hits);
  }
  return [...byFrame.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, hits]) => ({ frame, selfPct: Math.round((hits / total) * 1000) / 10 }));
}

export function readCpuProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}
