/**
 * Draws an Amazon States Language definition as a static SVG with one execution's path highlighted.
 *
 * Hand-written on purpose: graph-layout/charting libraries (dagre + d3, mermaid, elkjs…) either need a browser
 * DOM to measure and render, or pull large runtimes into a report that must open offline as one file. A pipeline
 * state machine is nearly linear, so a small purpose-built layout is enough and stays readable:
 *
 *  - Non-Fail states form one column in a topological order from StartAt (Next / Choices / Default / Catch).
 *    Poll loops (Task → Choice → Wait → back to the Task) keep the Wait right under its Choice.
 *  - Edges to the next row are straight; edges that go back up (the poll loops' Wait → Task) are curves on the
 *    left; forward edges that skip rows are routed on the right of the column.
 *  - Fail states sit in a side column on the right. A Fail state reached from one place sits on that row; one
 *    reached from many places (PollBudgetExceeded, the catch-all PipelineFailed) gets a vertical "bus" lane.
 *  - Catch edges are dashed. Taken nodes are filled and carry their entry count ("×7"); taken edges are bold;
 *    the state the execution ended in is ringed and labelled.
 */
import type { AslDefinition, AslState } from './types';
import { escapeHtml, n, truncate } from './format';

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface StateEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** A short reading of the Choice rule, e.g. "state = Succeeded", "attempt ≥ 400", "default". */
  label?: string;
}

export interface TypeStyle {
  stroke: string;
  fill: string;
}

/** Colours per state type (shared with the HTML legend and timing table). */
export const STATE_TYPE_STYLES: Record<string, TypeStyle> = {
  Task: { stroke: '#2563eb', fill: '#dbeafe' },
  Choice: { stroke: '#d97706', fill: '#fef3c7' },
  Wait: { stroke: '#7c3aed', fill: '#ede9fe' },
  Pass: { stroke: '#0d9488', fill: '#ccfbf1' },
  Fail: { stroke: '#dc2626', fill: '#fee2e2' },
  Succeed: { stroke: '#16a34a', fill: '#dcfce7' },
  Parallel: { stroke: '#475569', fill: '#e2e8f0' },
  Map: { stroke: '#475569', fill: '#e2e8f0' },
};

export function typeStyle(type: string): TypeStyle {
  return STATE_TYPE_STYLES[type] ?? { stroke: '#475569', fill: '#e2e8f0' };
}

const OPERATORS: [RegExp, string][] = [
  [/GreaterThanEquals(Path)?$/, '≥'],
  [/LessThanEquals(Path)?$/, '≤'],
  [/GreaterThan(Path)?$/, '>'],
  [/LessThan(Path)?$/, '<'],
  [/Equals(Path)?$/, '='],
  [/Matches$/, '~'],
];

/** "state = Succeeded" from { Variable: "$.trainingPoll.state", StringEquals: "Succeeded" }. */
export function describeChoiceRule(rule: Record<string, unknown>): string {
  if (typeof rule.Condition === 'string') return truncate(rule.Condition.replace(/^\{%\s*|\s*%\}$/g, ''), 24);
  const variable = typeof rule.Variable === 'string' ? (rule.Variable.split('.').pop() ?? rule.Variable) : undefined;
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next' || key === 'Comment' || key === 'Assign' || key === 'Output') continue;
    if (key === 'And' || key === 'Or' || key === 'Not') return key.toLowerCase() + '(…)';
    if (key.startsWith('Is')) return truncate(`${variable ?? ''} ${key.slice(2)}${value === false ? ' = false' : ''}`.trim(), 24);
    const op = OPERATORS.find(([re]) => re.test(key))?.[1];
    if (op) {
      const shown = key.endsWith('Path') && typeof value === 'string' ? (value.split('.').pop() ?? value) : String(value);
      return truncate(`${variable ?? '?'} ${op} ${shown}`, 24);
    }
  }
  return 'rule';
}

/** Every transition the definition allows, de-duplicated per (from, to) pair. */
export function stateEdges(definition: AslDefinition): StateEdge[] {
  const edges: StateEdge[] = [];
  const seen = new Map<string, StateEdge>();
  const add = (from: string, to: string | undefined, kind: EdgeKind, label?: string) => {
    if (!to || !states(definition, to)) return;
    const key = `${from}\u0000${to}`;
    const existing = seen.get(key);
    if (existing) {
      if (label && existing.kind !== 'catch' && kind !== 'catch' && existing.label && !existing.label.includes(label)) {
        existing.label = truncate(`${existing.label} | ${label}`, 30);
      }
      return;
    }
    const edge: StateEdge = label === undefined ? { from, to, kind } : { from, to, kind, label };
    seen.set(key, edge);
    edges.push(edge);
  };
  for (const [name, state] of Object.entries(definition.States)) {
    add(name, state.Next, 'next');
    for (const rule of state.Choices ?? []) add(name, rule.Next, 'choice', describeChoiceRule(rule));
    if (state.Type === 'Choice') add(name, state.Default, 'default', 'default');
    for (const c of state.Catch ?? []) add(name, c.Next, 'catch');
  }
  return edges;
}

// ---------------------------------------------------------------------------------------------------------------
// Layout

const ROW_H = 58;
const NODE_H = 40;
const MAIN_W = 212;
const FAIL_W = 196;
const TOP = 44;
const LABEL_GAP = 104; // room for Choice-rule labels right of the main column
const LANE_STEP = 14;

interface Point {
  x: number;
  y: number;
}

interface NodeBox {
  name: string;
  type: string;
  column: 'main' | 'fail';
  row: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

interface RoutedEdge extends StateEdge {
  d: string;
  taken: boolean;
  toFail: boolean;
  labelAt?: Point & { anchor: 'start' | 'middle' };
}

export interface StateMachineLayout {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: RoutedEdge[];
  start: Point;
}

function successorsForOrder(state: AslState): string[] {
  // Visited in this order; the reverse postorder puts the LAST visited first, so Next / Default (the poll loop's
  // Wait) come right after their state and Catch handlers come last.
  const out: string[] = [];
  for (const c of state.Catch ?? []) out.push(c.Next);
  for (const rule of state.Choices ?? []) out.push(rule.Next);
  if (state.Default) out.push(state.Default);
  if (state.Next) out.push(state.Next);
  return out;
}

/** Main-column order: reverse postorder of a DFS from StartAt over the non-Fail states, then anything unreached. */
function mainOrder(definition: AslDefinition): string[] {
  const states = definition.States;
  const isMain = (s: string) => Object.prototype.hasOwnProperty.call(states, s) && states[s]!.Type !== 'Fail';
  const visited = new Set<string>();
  const order: string[] = [];
  const visit = (root: string) => {
    const post: string[] = [];
    // Iterative DFS (definitions can be long chains).
    const stack: { name: string; next: string[]; i: number }[] = [];
    visited.add(root);
    stack.push({ name: root, next: successorsForOrder(states[root]!).filter(isMain), i: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.next.length) {
        const child = top.next[top.i++]!;
        if (!visited.has(child)) {
          visited.add(child);
          stack.push({ name: child, next: successorsForOrder(states[child]!).filter(isMain), i: 0 });
        }
      } else {
        post.push(top.name);
        stack.pop();
      }
    }
    order.push(...post.reverse());
  };
  if (isMain(definition.StartAt)) visit(definition.StartAt);
  for (const name of Object.keys(states)) if (isMain(name) && !visited.has(name)) visit(name);
  return order;
}

/** Assigns lanes to [lo, hi] row intervals so that intervals sharing a lane do not overlap. */
function assignLanes<T>(items: T[], interval: (t: T) => [number, number]): Map<T, number> {
  const lanes: [number, number][][] = [];
  const result = new Map<T, number>();
  const sorted = [...items].sort((a, b) => {
    const [alo, ahi] = interval(a);
    const [blo, bhi] = interval(b);
    return ahi - alo - (bhi - blo) || alo - blo;
  });
  for (const item of sorted) {
    const [lo, hi] = interval(item);
    let lane = lanes.findIndex((used) => used.every(([ulo, uhi]) => hi < ulo || lo > uhi));
    if (lane < 0) {
      lane = lanes.length;
      lanes.push([]);
    }
    lanes[lane]!.push([lo, hi]);
    result.set(item, lane);
  }
  return result;
}

/** An orthogonal polyline with rounded corners. */
function roundedPath(points: Point[], radius = 7): string {
  const pts = points.filter((p, i) => i === 0 || p.x !== points[i - 1]!.x || p.y !== points[i - 1]!.y);
  if (pts.length === 0) return '';
  let d = `M${n(pts[0]!.x)} ${n(pts[0]!.y)}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const prev = pts[i - 1]!;
    const cur = pts[i]!;
    const next = pts[i + 1]!;
    const inLen = Math.hypot(cur.x - prev.x, cur.y - prev.y);
    const outLen = Math.hypot(next.x - cur.x, next.y - cur.y);
    const r = Math.min(radius, inLen / 2, outLen / 2);
    const a = { x: cur.x - ((cur.x - prev.x) / inLen) * r, y: cur.y - ((cur.y - prev.y) / inLen) * r };
    const b = { x: cur.x + ((next.x - cur.x) / outLen) * r, y: cur.y + ((next.y - cur.y) / outLen) * r };
    d += ` L${n(a.x)} ${n(a.y)} Q${n(cur.x)} ${n(cur.y)} ${n(b.x)} ${n(b.y)}`;
  }
  const last = pts[pts.length - 1]!;
  if (pts.length > 1) d += ` L${n(last.x)} ${n(last.y)}`;
  return d;
}

/** Horizontal inset of a shape's side at its vertical middle (the parallelogram's sides are slanted). */
function sideInset(type: string): number {
  return type === 'Pass' ? 5 : 0;
}

export function layoutStateMachine(definition: AslDefinition, path: readonly string[] = []): StateMachineLayout {
  const states = definition.States;
  const names = Object.keys(states);
  const edges = stateEdges(definition);
  const main = mainOrder(definition);
  const row = new Map<string, number>(main.map((s, i) => [s, i]));
  const isFail = (s: string) => states[s]?.Type === 'Fail';

  // Fail column rows: a Fail reached from one row sits on it; one reached from several rows sits at the lowest.
  const fails = names.filter(isFail);
  const failPreds = new Map<string, StateEdge[]>(fails.map((f) => [f, edges.filter((e) => e.to === f && row.has(e.from))]));
  const failRow = new Map<string, number>();
  const failUsed = new Set<number>();
  const failPlan = fails.map((f, index) => {
    const rows = [...new Set(failPreds.get(f)!.map((e) => row.get(e.from)!))];
    const single = rows.length === 1;
    const desired = rows.length === 0 ? main.length : Math.max(...rows);
    return { f, index, single, desired };
  });
  failPlan.sort((a, b) => Number(b.single) - Number(a.single) || a.desired - b.desired || a.index - b.index);
  for (const { f, desired } of failPlan) {
    let r = desired;
    while (failUsed.has(r)) r++;
    failUsed.add(r);
    failRow.set(f, r);
  }
  const rowOf = (s: string) => row.get(s) ?? failRow.get(s) ?? 0;

  // Lanes.
  const mainEdges = edges.filter((e) => row.has(e.from) && row.has(e.to));
  const backEdges = mainEdges.filter((e) => row.get(e.to)! <= row.get(e.from)!);
  const skipEdges = mainEdges.filter((e) => row.get(e.to)! > row.get(e.from)! + 1);
  const failEdges = edges.filter((e) => row.has(e.from) && isFail(e.to));
  const backLane = assignLanes(backEdges, (e) => [row.get(e.to)!, row.get(e.from)!]);
  const skipLane = assignLanes(skipEdges, (e) => [row.get(e.from)!, row.get(e.to)!]);
  const busTargets = fails.filter((f) => {
    const preds = failPreds.get(f)!;
    return preds.length > 1 || preds.some((e) => row.get(e.from) !== failRow.get(f));
  });
  // Catch-only buses innermost: their dashed lines are the ones it is least harmful to cross.
  const catchOnly = (f: string) => failPreds.get(f)!.every((e) => e.kind === 'catch');
  busTargets.sort((a, b) => Number(catchOnly(b)) - Number(catchOnly(a)) || failRow.get(a)! - failRow.get(b)!);
  const busIndex = new Map(busTargets.map((f, i) => [f, i]));

  const backLaneCount = Math.max(0, ...backLane.values()) + (backLane.size > 0 ? 1 : 0);
  const skipLaneCount = Math.max(0, ...skipLane.values()) + (skipLane.size > 0 ? 1 : 0);
  const bulge = (lane: number) => 34 + lane * 22;
  const mainX = 18 + (backLaneCount > 0 ? bulge(backLaneCount - 1) : 0);
  const mainRight = mainX + MAIN_W;
  const skipX = (lane: number) => mainRight + LABEL_GAP + lane * LANE_STEP;
  const busStart = mainRight + LABEL_GAP + skipLaneCount * LANE_STEP + (skipLaneCount > 0 ? 6 : 0);
  const busX = (i: number) => busStart + i * LANE_STEP;
  const failX = fails.length === 0 ? mainRight : busStart + Math.max(0, busTargets.length - 1) * LANE_STEP + 44;
  const rows = Math.max(main.length, ...[...failRow.values()].map((r) => r + 1));
  const width = (fails.length > 0 ? failX + FAIL_W : mainRight + (skipLaneCount > 0 ? LABEL_GAP + skipLaneCount * LANE_STEP : 40)) + 24;
  const height = TOP + rows * ROW_H + 6;

  const nodes: NodeBox[] = [];
  const box = new Map<string, NodeBox>();
  for (const s of main) {
    const b: NodeBox = { name: s, type: states[s]!.Type, column: 'main', row: row.get(s)!, x: mainX, y: TOP + row.get(s)! * ROW_H, w: MAIN_W, h: NODE_H };
    nodes.push(b);
    box.set(s, b);
  }
  for (const f of fails) {
    const b: NodeBox = { name: f, type: 'Fail', column: 'fail', row: failRow.get(f)!, x: failX, y: TOP + failRow.get(f)! * ROW_H, w: FAIL_W, h: NODE_H };
    nodes.push(b);
    box.set(f, b);
  }

  // Taken transitions: consecutive pairs of the path.
  const taken = new Set<string>();
  for (let i = 1; i < path.length; i++) taken.add(`${path[i - 1]}\u0000${path[i]}`);
  const isTaken = (e: StateEdge) => taken.has(`${e.from}\u0000${e.to}`);

  // Right-going edges leave from ports spread over the source's right side: the edge that turns furthest right
  // leaves highest, so horizontal runs never cross the vertical runs of edges from the same node.
  const turnX = (e: StateEdge): number => {
    if (isFail(e.to)) return busIndex.has(e.to) ? busX(busIndex.get(e.to)!) : failX;
    return skipX(skipLane.get(e)!);
  };
  const rightEdges = [...skipEdges, ...failEdges];
  const portY = new Map<StateEdge, number>();
  for (const s of main) {
    const mine = rightEdges.filter((e) => e.from === s).sort((a, b) => turnX(b) - turnX(a) || rowOf(a.to) - rowOf(b.to));
    const b = box.get(s)!;
    const spacing = mine.length > 1 ? Math.min(12, (NODE_H - 12) / (mine.length - 1)) : 0;
    mine.forEach((e, i) => portY.set(e, b.y + NODE_H / 2 + (i - (mine.length - 1) / 2) * spacing));
  }

  const routed: RoutedEdge[] = [];
  for (const e of edges) {
    const from = box.get(e.from);
    const to = box.get(e.to);
    if (!from || !to || from.column === 'fail') continue;
    const base = { ...e, taken: isTaken(e), toFail: to.column === 'fail' };
    const fromRow = from.row;
    const cx = from.x + from.w / 2;
    if (to.column === 'fail') {
      const py = portY.get(e)!;
      const sx = from.x + from.w - sideInset(from.type);
      const ty = to.y + to.h / 2;
      const pts: Point[] = busIndex.has(e.to)
        ? [{ x: sx, y: py }, { x: turnX(e), y: py }, { x: turnX(e), y: ty }, { x: to.x, y: ty }]
        : [{ x: sx, y: py }, { x: to.x, y: py }];
      routed.push({ ...base, d: roundedPath(pts), labelAt: { x: sx + 6, y: py - 3.5, anchor: 'start' } });
    } else if (to.row === fromRow + 1) {
      const y0 = from.y + from.h;
      routed.push({ ...base, d: `M${n(cx)} ${n(y0)} L${n(cx)} ${n(to.y)}`, labelAt: { x: cx + 7, y: y0 + 11, anchor: 'start' } });
    } else if (to.row <= fromRow) {
      // Back edge (poll loop): a curve on the left, from the source's left side to the target's left side.
      const k = bulge(backLane.get(e)!) * 1.33;
      const x0 = from.x + sideInset(from.type);
      const y0 = from.y + from.h / 2;
      const x1 = to.x + sideInset(to.type);
      const y1 = to.y + to.h / 2 + (to.row === fromRow ? -8 : 0);
      routed.push({ ...base, d: `M${n(x0)} ${n(y0)} C${n(x0 - k)} ${n(y0)} ${n(x1 - k)} ${n(y1)} ${n(x1)} ${n(y1)}` });
    } else {
      // Forward edge that skips rows: out on the right, down its lane, into the target's top.
      const py = portY.get(e)!;
      const sx = from.x + from.w - sideInset(from.type);
      const lx = turnX(e);
      const entryX = to.x + to.w - 30;
      const pts: Point[] = [{ x: sx, y: py }, { x: lx, y: py }, { x: lx, y: to.y - 9 }, { x: entryX, y: to.y - 9 }, { x: entryX, y: to.y }];
      routed.push({ ...base, d: roundedPath(pts), labelAt: { x: sx + 6, y: py - 3.5, anchor: 'start' } });
    }
  }
  const startNode = box.get(definition.StartAt);
  const start = startNode ? { x: startNode.x + startNode.w / 2, y: startNode.y - 26 } : { x: mainX + MAIN_W / 2, y: 14 };
  return { width, height, nodes, edges: routed, start };
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function shape(type: string, x: number, y: number, w: number, h: number, attrs: string): string {
  const p = (pts: [number, number][]) => `<polygon points="${pts.map(([px, py]) => `${n(px)},${n(py)}`).join(' ')}" ${attrs}/>`;
  switch (type) {
    case 'Choice':
      return p([[x + 13, y], [x + w - 13, y], [x + w, y + h / 2], [x + w - 13, y + h], [x + 13, y + h], [x, y + h / 2]]);
    case 'Pass':
      return p([[x + 10, y], [x + w, y], [x + w - 10, y + h], [x, y + h]]);
    case 'Fail': {
      const c = 9;
      return p([[x + c, y], [x + w - c, y], [x + w, y + c], [x + w, y + h - c], [x + w - c, y + h], [x + c, y + h], [x, y + h - c], [x, y + c]]);
    }
    case 'Wait':
    case 'Succeed':
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="${n(h / 2)}" ${attrs}/>`;
    default:
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="6" ${attrs}/>`;
  }
}

export interface StateMachineSvgOptions {
  /** Prefix for the SVG's marker ids (unique per page). */
  idPrefix?: string;
  /** Entries per state; defaults to counting the path. */
  entries?: Record<string, number>;
}

/** The ASL drawn as a layered top-to-bottom graph with the taken path highlighted. */
export function renderStateMachineSvg(definition: AslDefinition, path: readonly string[] = [], options: StateMachineSvgOptions = {}): string {
  const id = options.idPrefix ?? 'sm';
  const layout = layoutStateMachine(definition, path);
  const entries = new Map<string, number>();
  if (options.entries) for (const [k, v] of Object.entries(options.entries)) entries.set(k, v);
  else for (const s of path) entries.set(s, (entries.get(s) ?? 0) + 1);
  const visited = new Set(path);
  const last = path.length > 0 ? path[path.length - 1] : undefined;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="sm" viewBox="0 0 ${n(layout.width)} ${n(layout.height)}" width="${n(layout.width)}" height="${n(layout.height)}" role="img" aria-label="State machine with the execution path highlighted" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`,
  );
  const marker = (name: string, color: string, size: number) =>
    `<marker id="${id}-${name}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="${size}" markerHeight="${size}" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="${color}"/></marker>`;
  out.push(
    `<defs>${marker('arrow', '#a3adbb', 8)}${marker('arrow-taken', '#1e293b', 11)}${marker('arrow-catch', '#e8a5a5', 8)}${marker('arrow-fail', '#dc2626', 11)}</defs>`,
  );

  // Start marker.
  const startTaken = path[0] === definition.StartAt;
  out.push(
    `<g class="sm-start"><circle cx="${n(layout.start.x)}" cy="${n(layout.start.y)}" r="6" fill="${startTaken ? '#1e293b' : '#a3adbb'}"/>` +
      `<path d="M${n(layout.start.x)} ${n(layout.start.y + 6)} L${n(layout.start.x)} ${n(layout.start.y + 26)}" stroke="${startTaken ? '#1e293b' : '#a3adbb'}" stroke-width="${startTaken ? 2.5 : 1.2}" marker-end="url(#${id}-${startTaken ? 'arrow-taken' : 'arrow'})" fill="none"/>` +
      `<text x="${n(layout.start.x + 12)}" y="${n(layout.start.y + 4)}" font-size="10" fill="#64748b" letter-spacing=".06em">START</text></g>`,
  );

  // Edges: untaken first, taken on top.
  const ordered = [...layout.edges].sort((a, b) => Number(a.taken) - Number(b.taken));
  const labels: string[] = [];
  for (const e of ordered) {
    const catchEdge = e.kind === 'catch';
    const failTaken = e.taken && e.toFail;
    const stroke = e.taken ? (failTaken ? '#dc2626' : '#1e293b') : catchEdge ? '#e8a5a5' : '#a3adbb';
    const width = e.taken ? 2.6 : catchEdge ? 1 : 1.2;
    const dash = catchEdge && !e.taken ? ' stroke-dasharray="4 3"' : catchEdge ? ' stroke-dasharray="7 3"' : '';
    const arrow = e.taken ? (failTaken ? 'arrow-fail' : 'arrow-taken') : catchEdge ? 'arrow-catch' : 'arrow';
    out.push(
      `<path class="sm-edge ${e.taken ? 'sm-edge-taken' : 'sm-edge-untaken'} sm-edge-${e.kind}" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}" data-taken="${e.taken}" d="${e.d}" fill="none" stroke="${stroke}" stroke-width="${width}"${dash} marker-end="url(#${id}-${arrow})"><title>${escapeHtml(`${e.from} → ${e.to}${e.label ? ` (${e.label})` : ''}${catchEdge ? ' (Catch)' : ''}`)}</title></path>`,
    );
    if (e.label && e.labelAt && states(definition, e.from)?.Type === 'Choice') {
      labels.push(
        `<text class="sm-edge-label" x="${n(e.labelAt.x)}" y="${n(e.labelAt.y)}" text-anchor="${e.labelAt.anchor}" font-size="9.5" fill="${e.taken ? '#0f172a' : '#8390a2'}" font-weight="${e.taken ? 600 : 400}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(e.label)}</text>`,
      );
    }
  }

  // Nodes.
  for (const b of layout.nodes) {
    const st = typeStyle(b.type);
    const isTaken = visited.has(b.name);
    const count = entries.get(b.name) ?? 0;
    const terminal = b.name === last;
    const endKind = terminal ? (b.type === 'Succeed' ? 'succeeded' : b.type === 'Fail' ? 'failed' : 'stopped') : '';
    const cls = ['sm-node', isTaken ? 'sm-taken' : 'sm-untaken', `sm-type-${b.type.toLowerCase()}`, terminal ? 'sm-terminal' : ''].filter(Boolean).join(' ');
    const attrs = isTaken
      ? `fill="${st.fill}" stroke="${st.stroke}" stroke-width="2"`
      : `fill="#ffffff" stroke="${st.stroke}" stroke-opacity=".45" stroke-width="1.2" stroke-dasharray="${b.type === 'Fail' ? '4 2' : 'none'}"`;
    const g: string[] = [];
    g.push(
      `<g class="${cls}" data-state="${escapeHtml(b.name)}" data-type="${escapeHtml(b.type)}" data-taken="${isTaken}" data-entries="${count}"${terminal ? ` data-terminal="${endKind}"` : ''}>`,
    );
    g.push(`<title>${escapeHtml(`${b.name} (${b.type})${isTaken ? ` — entered ${count}×` : ' — not entered'}${states(definition, b.name)?.Comment ? `\n${String(states(definition, b.name)!.Comment)}` : ''}`)}</title>`);
    if (terminal) {
      const ring = b.type === 'Fail' ? '#dc2626' : b.type === 'Succeed' ? '#16a34a' : '#0f172a';
      g.push(shape(b.type, b.x - 4, b.y - 4, b.w + 8, b.h + 8, `fill="none" stroke="${ring}" stroke-width="2" stroke-dasharray="${endKind === 'stopped' ? '4 3' : 'none'}"`));
      const text = endKind === 'succeeded' ? '▲ ENDED HERE ✓' : endKind === 'failed' ? '▲ ENDED HERE ✗' : '▲ STOPPED HERE';
      g.push(`<text class="sm-end-label" x="${n(b.x + 6)}" y="${n(b.y + b.h + 17)}" text-anchor="start" font-size="9.5" font-weight="700" letter-spacing=".05em" fill="${ring}">${text}</text>`);
    }
    g.push(shape(b.type, b.x, b.y, b.w, b.h, attrs));
    const textX = b.x + (b.type === 'Choice' ? 18 : b.type === 'Wait' || b.type === 'Succeed' ? 16 : 13);
    const maxChars = count > 0 ? 22 : 27;
    g.push(
      `<text x="${n(textX)}" y="${n(b.y + 17)}" font-size="12.5" font-weight="${isTaken ? 650 : 500}" fill="${isTaken ? '#0f172a' : '#64748b'}">${escapeHtml(truncate(b.name, maxChars))}</text>`,
    );
    g.push(
      `<text x="${n(textX)}" y="${n(b.y + 30)}" font-size="8.5" letter-spacing=".08em" fill="${st.stroke}" fill-opacity="${isTaken ? 1 : 0.6}">${escapeHtml(b.type.toUpperCase())}</text>`,
    );
    if (count > 0) {
      const label = `×${count}`;
      const bw = 12 + label.length * 6.2;
      const bx = b.x + b.w - bw - (b.type === 'Choice' ? 16 : b.type === 'Wait' || b.type === 'Succeed' ? 12 : 8);
      g.push(
        `<g class="sm-count"><rect x="${n(bx)}" y="${n(b.y + 11)}" width="${n(bw)}" height="18" rx="9" fill="${st.stroke}"/><text x="${n(bx + bw / 2)}" y="${n(b.y + 24)}" text-anchor="middle" font-size="10.5" font-weight="700" fill="#fff">${label}</text></g>`,
      );
    }
    g.push('</g>');
    out.push(g.join(''));
  }
  out.push(...labels);
  out.push('</svg>');
  return out.join('\n');
}

function states(definition: AslDefinition, name: string): AslState | undefined {
  return Object.prototype.hasOwnProperty.call(definition.States, name) ? definition.States[name] : undefined;
}
