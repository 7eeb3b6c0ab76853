/**
 * Draws an Amazon States Language definition as a static SVG with one execution's path highlighted.
 *
 * Hand-written on purpose: graph-layout/charting libraries (dagre + d3, mermaid, elkjs…) either need a browser
 * DOM to measure and render, or pull large runtimes into a report that must open offline as one file. A pipeline
 * state machine is nearly linear, so a small purpose-built layout is enough and stays readable:
 *
 *  - Each scope (the top level, each branch of a Parallel) is one column in a topological order from its StartAt
 *    (Next / Choices / Default / Catch). Poll loops (Task → Choice → Wait → back to the Task) keep the Wait right
 *    under its Choice; a Choice's rules follow in their order, then a Default that does not loop, Fail states and
 *    Catch handlers last.
 *  - A Parallel is a box in its column: a header with its name, a fork from its top to each branch, the branches
 *    side by side (each a column laid out the same way, recursively), and a join from each branch's end to the
 *    box's bottom, where the Parallel goes on.
 *  - Edges to the next row are straight; edges that go back up (the poll loops' Wait → Task) are curves on the
 *    left; forward edges that skip rows are routed on the right of the column, one lane per target state (edges
 *    into the same state, such as every Catch into RecordRun, merge into its lane).
 *  - Catch edges are dashed. Taken nodes are filled and carry their entry count ("×7"); taken edges are bold;
 *    the state the execution ended in is ringed and labelled. Branch states are matched to their branch, so the
 *    interleaved events of branches running side by side still give each branch its own path.
 */
import type { AslDefinition, AslState } from './types';
import { escapeHtml, n, truncate } from './format';

/** `branch`: a Parallel (or Map) to a branch's StartAt; `join`: a state that ends a branch back to its Parallel. */
export type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'branch' | 'join';

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

/** A Parallel state's branches, or a Map state's item processor: the nested state machines it runs. */
export function childScopes(state: AslState | undefined): AslDefinition[] {
  if (!state) return [];
  if (Array.isArray(state.Branches)) return (state.Branches as unknown[]).filter(isScope);
  const processor = state.ItemProcessor ?? state.Iterator;
  return isScope(processor) ? [processor] : [];
}

function isScope(value: unknown): value is AslDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<AslDefinition>;
  return typeof v.StartAt === 'string' && typeof v.States === 'object' && v.States !== null;
}

interface ScopeInfo {
  /** '' for the top level, `<Parallel>[<branch index>]` for a branch. */
  id: string;
  definition: AslDefinition;
  /** The Parallel (or Map) state that runs this scope. */
  owner?: string;
}

/**
 * Every scope of the definition (the top level, then each branch, depth first) and the scope of each state.
 * ASL requires state names to be unique across the whole state machine, branches included, so a name is enough
 * to find a state (history events carry only names).
 */
function scopesOf(definition: AslDefinition): { scopes: ScopeInfo[]; scopeOf: Map<string, ScopeInfo> } {
  const scopes: ScopeInfo[] = [];
  const scopeOf = new Map<string, ScopeInfo>();
  const walk = (def: AslDefinition, id: string, owner: string | undefined) => {
    const scope: ScopeInfo = owner === undefined ? { id, definition: def } : { id, definition: def, owner };
    scopes.push(scope);
    for (const [name, state] of Object.entries(def.States)) {
      if (!scopeOf.has(name)) scopeOf.set(name, scope);
      childScopes(state).forEach((child, i) => walk(child, `${name}[${i}]`, name));
    }
  };
  walk(definition, '', undefined);
  return { scopes, scopeOf };
}

const edgeKey = (from: string, to: string) => `${from}\u0000${to}`;

/**
 * Every transition the definition allows, in every scope, de-duplicated per (from, to) pair: Next, Choices,
 * Default and Catch inside each scope; `branch` from a Parallel (or Map) to each branch's StartAt; `join` from
 * each state that ends a branch (End: true, or Succeed) back to its Parallel, which then goes on.
 */
export function stateEdges(definition: AslDefinition): StateEdge[] {
  const edges: StateEdge[] = [];
  const seen = new Map<string, StateEdge>();
  const push = (from: string, to: string, kind: EdgeKind, label?: string) => {
    const key = edgeKey(from, to);
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
  for (const scope of scopesOf(definition).scopes) {
    const states = scope.definition.States;
    const add = (from: string, to: string | undefined, kind: EdgeKind, label?: string) => {
      if (to !== undefined && has(states, to)) push(from, to, kind, label);
    };
    for (const [name, state] of Object.entries(states)) {
      add(name, state.Next, 'next');
      for (const rule of state.Choices ?? []) add(name, rule.Next, 'choice', describeChoiceRule(rule));
      if (state.Type === 'Choice') add(name, state.Default, 'default', 'default');
      for (const c of state.Catch ?? []) add(name, c.Next, 'catch');
      childScopes(state).forEach((child, i) => {
        if (has(child.States, child.StartAt)) push(name, child.StartAt, 'branch', `branch ${i + 1}`);
      });
      if (scope.owner !== undefined && (state.End === true || state.Type === 'Succeed')) push(name, scope.owner, 'join');
    }
  }
  return edges;
}

/**
 * The transitions an execution took, from the states it entered in order (its history's *StateEntered events).
 * Branches of a Parallel run side by side and their events interleave (on AWS) or follow each other (offline),
 * so a state's predecessor is the last state entered in the same scope, not the previous event: the first state
 * of a branch is reached from its Parallel, and the state after a Parallel from the Parallel itself.
 */
export function takenTransitions(definition: AslDefinition, path: readonly string[]): Set<string> {
  const { scopeOf } = scopesOf(definition);
  const byKey = new Map(stateEdges(definition).map((e) => [edgeKey(e.from, e.to), e]));
  const last = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of path) {
    const scope = scopeOf.get(name);
    if (!scope) continue;
    const prev = last.get(scope.id);
    const from = prev ?? scope.owner;
    if (from !== undefined && byKey.has(edgeKey(from, name))) taken.add(edgeKey(from, name));
    last.set(scope.id, name);
    if (scope.owner !== undefined && byKey.get(edgeKey(name, scope.owner))?.kind === 'join') taken.add(edgeKey(name, scope.owner));
    // Entering a Parallel (again) starts its branches afresh.
    childScopes(scope.definition.States[name]).forEach((_, i) => last.delete(`${name}[${i}]`));
  }
  return taken;
}

// ---------------------------------------------------------------------------------------------------------------
// Layout

const NODE_H = 40;
const GAP_Y = 18;
const NODE_W = 212;
const NESTED_W = 200;
const TOP = 44;
const LABEL_GAP = 104; // room for Choice-rule labels right of the column
const NESTED_LABEL_GAP = 92;
const LANE_STEP = 14;
// A Parallel is a box: a header with its name, the fork, its branches side by side, the join.
const HEADER = 30;
const FORK = 20;
const PAD = 12;
const BRANCH_GAP = 14;
const JOIN = 22;
/** The row under a branch's last state where its ends meet (a point, not a state). */
const END = '\u0000end';
const END_H = 2;

interface Point {
  x: number;
  y: number;
}

export interface NodeBox {
  name: string;
  type: string;
  /** '' at the top level, `<Parallel>[<branch index>]` inside a branch. */
  scope: string;
  /** Nesting depth: 0 at the top level. */
  depth: number;
  /** A Parallel (or Map) drawn as a box around its branches. */
  container: boolean;
  /** Row within its scope's column. */
  row: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

type Route = { kind: 'line'; pts: Point[] } | { kind: 'curve'; p0: Point; c1: Point; c2: Point; p1: Point };

interface DraftEdge extends StateEdge {
  route: Route;
  labelAt?: Point & { anchor: 'start' | 'middle' };
}

export interface RoutedEdge extends StateEdge {
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

/** One scope laid out in its own coordinates (origin top-left). */
interface Block {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: DraftEdge[];
  /** x of the column's axis (where the start state's centre is). */
  axis: number;
}

/** Local successors (Next, Choices, Default, Catch) of a state. */
function localSuccessors(states: Record<string, AslState>, name: string): string[] {
  const st = states[name]!;
  const out = [...(st.Catch ?? []).map((c) => c.Next), ...(st.Choices ?? []).map((r) => r.Next)];
  if (st.Default) out.push(st.Default);
  if (st.Next) out.push(st.Next);
  return out.filter((s) => has(states, s));
}

function reaches(states: Record<string, AslState>, from: string, target: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (s === target) return true;
    for (const next of localSuccessors(states, s)) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/**
 * Successors in DFS visiting order. The reverse postorder puts the LAST visited first, so: a poll loop's Wait
 * (a Default that leads back) comes right after its Choice, then the Choice rules in their order, then a Default
 * that does not loop (a gate's failure path), then Fail states, and Catch handlers last.
 */
function successorsForOrder(states: Record<string, AslState>, name: string): string[] {
  const st = states[name]!;
  const isFail = (s: string) => states[s]?.Type === 'Fail';
  const choices = (st.Choices ?? []).map((r) => r.Next);
  const def = st.Default;
  const loop = def !== undefined && !isFail(def) && reaches(states, def, name);
  const out: string[] = [];
  for (const c of st.Catch ?? []) out.push(c.Next);
  out.push(...[...choices, ...(def !== undefined ? [def] : [])].filter(isFail).reverse());
  if (def !== undefined && !loop && !isFail(def)) out.push(def);
  out.push(...choices.filter((s) => !isFail(s)).reverse());
  if (def !== undefined && loop) out.push(def);
  if (st.Next) out.push(st.Next);
  return out.filter((s) => has(states, s));
}

/** A scope's column order: reverse postorder of a DFS from StartAt, then anything unreached. */
function scopeOrder(definition: AslDefinition): string[] {
  const states = definition.States;
  const visited = new Set<string>();
  const order: string[] = [];
  const visit = (root: string) => {
    const post: string[] = [];
    // Iterative DFS (definitions can be long chains).
    const stack: { name: string; next: string[]; i: number }[] = [];
    visited.add(root);
    stack.push({ name: root, next: successorsForOrder(states, root), i: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.next.length) {
        const child = top.next[top.i++]!;
        if (!visited.has(child)) {
          visited.add(child);
          stack.push({ name: child, next: successorsForOrder(states, child), i: 0 });
        }
      } else {
        post.push(top.name);
        stack.pop();
      }
    }
    order.push(...post.reverse());
  };
  if (has(states, definition.StartAt)) visit(definition.StartAt);
  for (const name of Object.keys(states)) if (!visited.has(name)) visit(name);
  return order;
}

/**
 * Assigns lanes to [lo, hi] row intervals so that intervals sharing a lane do not overlap. `touching` lets an
 * interval that ends on a row share a lane with one that starts there (a skip edge enters its target from above
 * and another leaves that row from its side).
 */
function assignLanes<T>(items: T[], interval: (t: T) => [number, number], touching = false): Map<T, number> {
  const lanes: [number, number][][] = [];
  const result = new Map<T, number>();
  const sorted = [...items].sort((a, b) => {
    const [alo, ahi] = interval(a);
    const [blo, bhi] = interval(b);
    return ahi - alo - (bhi - blo) || alo - blo;
  });
  const apart = (lo: number, hi: number, ulo: number, uhi: number) => (touching ? hi <= ulo || lo >= uhi : hi < ulo || lo > uhi);
  for (const item of sorted) {
    const [lo, hi] = interval(item);
    let lane = lanes.findIndex((used) => used.every(([ulo, uhi]) => apart(lo, hi, ulo, uhi)));
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

function routeToPath(route: Route): string {
  if (route.kind === 'line') return route.pts.length === 2 ? `M${n(route.pts[0]!.x)} ${n(route.pts[0]!.y)} L${n(route.pts[1]!.x)} ${n(route.pts[1]!.y)}` : roundedPath(route.pts);
  const { p0, c1, c2, p1 } = route;
  return `M${n(p0.x)} ${n(p0.y)} C${n(c1.x)} ${n(c1.y)} ${n(c2.x)} ${n(c2.y)} ${n(p1.x)} ${n(p1.y)}`;
}

function shift(p: Point, dx: number, dy: number): Point {
  return { x: p.x + dx, y: p.y + dy };
}

function shiftEdge(e: DraftEdge, dx: number, dy: number): DraftEdge {
  const route: Route =
    e.route.kind === 'line'
      ? { kind: 'line', pts: e.route.pts.map((p) => shift(p, dx, dy)) }
      : { kind: 'curve', p0: shift(e.route.p0, dx, dy), c1: shift(e.route.c1, dx, dy), c2: shift(e.route.c2, dx, dy), p1: shift(e.route.p1, dx, dy) };
  return { ...e, route, ...(e.labelAt ? { labelAt: { ...e.labelAt, x: e.labelAt.x + dx, y: e.labelAt.y + dy } } : {}) };
}

/** Horizontal inset of a shape's side at its vertical middle (the parallelogram's sides are slanted). */
function sideInset(type: string): number {
  return type === 'Pass' ? 5 : 0;
}

/** Where a state's side ports are: a box's header, a node's middle. */
function sideY(b: NodeBox): number {
  return b.container ? b.y + HEADER / 2 : b.y + b.h / 2;
}

/**
 * Lays out one scope as a column: its states top to bottom in scopeOrder, centred on one axis; a Parallel is a
 * box as wide as its branches, which are laid out the same way (recursively) side by side inside it.
 */
function layoutScope(definition: AslDefinition, scopeId: string, depth: number, all: readonly StateEdge[]): Block {
  const states = definition.States;
  const nested = depth > 0;
  const nodeW = nested ? NESTED_W : NODE_W;
  const order = scopeOrder(definition);
  const rows = nested ? [...order, END] : order;
  const rowOf = new Map<string, number>(rows.map((s, i) => [s, i]));
  const target = (e: StateEdge) => (e.kind === 'join' ? END : e.to);
  const local = all.filter((e) => has(states, e.from) && e.kind !== 'branch' && (e.kind === 'join' ? nested : has(states, e.to)));

  const children = new Map<string, Block[]>();
  order.forEach((s) => {
    const kids = childScopes(states[s]);
    if (kids.length > 0) children.set(s, kids.map((k, i) => layoutScope(k, `${s}[${i}]`, depth + 1, all)));
  });
  const sizeOf = (s: string): { w: number; h: number } => {
    if (s === END) return { w: 0, h: END_H };
    const kids = children.get(s);
    if (!kids) return { w: nodeW, h: NODE_H };
    const inner = kids.reduce((a, k) => a + k.width, 0) + BRANCH_GAP * (kids.length - 1);
    return { w: Math.max(nodeW, 2 * PAD + inner), h: HEADER + FORK + Math.max(...kids.map((k) => k.height)) + JOIN };
  };
  const rowY: number[] = [];
  let y = nested ? 0 : TOP;
  for (const s of rows) {
    rowY.push(y);
    y += sizeOf(s).h + GAP_Y;
  }
  const height = y - GAP_Y + (nested ? 0 : 24);
  const colW = Math.max(...rows.map((s) => sizeOf(s).w));

  // Edges: to the next row (straight down), back up (poll loops: curves on the left), or skipping rows (on the
  // right, one lane per target: edges into the same state merge into its lane).
  const drafts = local.map((e) => ({ e, from: rowOf.get(e.from)!, to: rowOf.get(target(e))! }));
  const back = drafts.filter((r) => r.to <= r.from);
  const skip = drafts.filter((r) => r.to > r.from + 1);
  const backLane = assignLanes(back, (r) => [r.to, r.from]);
  const skipTargets = [...new Set(skip.map((r) => r.to))];
  const laneOfTarget = assignLanes(skipTargets, (t) => [Math.min(...skip.filter((r) => r.to === t).map((r) => r.from)), t], true);
  const backCount = back.length > 0 ? Math.max(...backLane.values()) + 1 : 0;
  const skipCount = skipTargets.length > 0 ? Math.max(...laneOfTarget.values()) + 1 : 0;
  const bulge = (lane: number) => 30 + lane * 20;
  const left = (nested ? 2 : 18) + (backCount > 0 ? bulge(backCount - 1) : 0);
  const axis = left + colW / 2;
  const laneStart = Math.max(axis + nodeW / 2 + (nested ? NESTED_LABEL_GAP : LABEL_GAP), left + colW + 16);
  const laneX = (lane: number) => laneStart + lane * LANE_STEP;
  const width = (skipCount > 0 ? laneX(skipCount - 1) : left + colW + (nested ? 0 : 40)) + (nested ? 6 : 24);

  const box = new Map<string, NodeBox>();
  rows.forEach((s, i) => {
    const { w, h } = sizeOf(s);
    box.set(s, { name: s, type: s === END ? 'End' : states[s]!.Type, scope: scopeId, depth, container: children.has(s), row: i, x: axis - w / 2, y: rowY[i]!, w, h });
  });

  // Right-going edges leave from ports spread over the source's right side: the edge that turns furthest right
  // leaves highest, so horizontal runs never cross the vertical runs of edges from the same node.
  const portY = new Map<(typeof drafts)[number], number>();
  for (const s of order) {
    const mine = skip.filter((r) => r.e.from === s).sort((a, b) => laneOfTarget.get(b.to)! - laneOfTarget.get(a.to)! || a.to - b.to);
    const spacing = mine.length > 1 ? Math.min(12, (NODE_H - 12) / (mine.length - 1)) : 0;
    const b = box.get(s)!;
    mine.forEach((r, i) => portY.set(r, sideY(b) + (i - (mine.length - 1) / 2) * spacing));
  }

  const edges: DraftEdge[] = [];
  for (const r of drafts) {
    const from = box.get(r.e.from)!;
    const to = box.get(target(r.e))!;
    if (r.to === r.from + 1) {
      const y0 = from.y + from.h;
      edges.push({ ...r.e, route: { kind: 'line', pts: [{ x: axis, y: y0 }, { x: axis, y: to.y }] }, labelAt: { x: axis + 7, y: y0 + 11, anchor: 'start' } });
    } else if (r.to <= r.from) {
      // Back edge (poll loop): a curve on the left, from the source's left side to the target's left side.
      const minX = Math.min(...rows.slice(r.to, r.from + 1).map((s) => box.get(s)!.x));
      const k = bulge(backLane.get(r)!) * 1.33;
      const p0 = { x: from.x + sideInset(from.type), y: sideY(from) };
      const p1 = { x: to.x + sideInset(to.type), y: sideY(to) + (r.to === r.from ? -8 : 0) };
      edges.push({ ...r.e, route: { kind: 'curve', p0, c1: { x: minX - k, y: p0.y }, c2: { x: minX - k, y: p1.y }, p1 } });
    } else {
      // Skips rows: out on the right, down the target's lane, into the target's top (or a branch's end point).
      const py = portY.get(r)!;
      const sx = from.x + from.w - sideInset(from.type);
      const lx = laneX(laneOfTarget.get(r.to)!);
      const entryX = to.x + to.w - 30;
      const pts: Point[] =
        to.name === END
          ? [{ x: sx, y: py }, { x: lx, y: py }, { x: lx, y: to.y }, { x: axis, y: to.y }]
          : [{ x: sx, y: py }, { x: lx, y: py }, { x: lx, y: to.y - 9 }, { x: entryX, y: to.y - 9 }, { x: entryX, y: to.y }];
      edges.push({ ...r.e, route: { kind: 'line', pts }, labelAt: { x: sx + 6, y: py - 3.5, anchor: 'start' } });
    }
  }

  // Boxes and their branches: the fork from the box's top, each branch's column, the join at the box's bottom.
  const nodes: NodeBox[] = [];
  for (const s of rows) {
    if (s === END) continue;
    const b = box.get(s)!;
    nodes.push(b);
    const kids = children.get(s);
    if (!kids) continue;
    const inner = kids.reduce((a, k) => a + k.width, 0) + BRANCH_GAP * (kids.length - 1);
    let ox = b.x + (b.w - inner) / 2;
    const oy = b.y + HEADER + FORK;
    const forkY = b.y + HEADER + FORK / 2 - 2;
    const joinY = b.y + b.h - JOIN / 2;
    const bottom = b.y + b.h;
    kids.forEach((kid) => {
      const bx = ox + kid.axis;
      nodes.push(...kid.nodes.map((k) => ({ ...k, x: k.x + ox, y: k.y + oy })));
      for (const ke of kid.edges) {
        const moved = shiftEdge(ke, ox, oy);
        if (moved.kind === 'join' && moved.to === s && moved.route.kind === 'line') {
          moved.route = { kind: 'line', pts: [...moved.route.pts, { x: bx, y: joinY }, { x: axis, y: joinY }, { x: axis, y: bottom }] };
        }
        edges.push(moved);
      }
      const startName = kid.nodes.find((k) => k.row === 0 && k.depth === depth + 1)?.name;
      const fork = startName === undefined ? undefined : all.find((e) => e.kind === 'branch' && e.from === s && e.to === startName);
      if (fork) edges.push({ ...fork, route: { kind: 'line', pts: [{ x: axis, y: b.y }, { x: axis, y: forkY }, { x: bx, y: forkY }, { x: bx, y: oy }] } });
      ox += kid.width + BRANCH_GAP;
    });
  }
  return { width, height, nodes, edges, axis };
}

export function layoutStateMachine(definition: AslDefinition, path: readonly string[] = []): StateMachineLayout {
  const all = stateEdges(definition);
  const block = layoutScope(definition, '', 0, all);
  const taken = takenTransitions(definition, path);
  const { scopeOf } = scopesOf(definition);
  const typeOf = (s: string) => scopeOf.get(s)?.definition.States[s]?.Type;
  const edges: RoutedEdge[] = block.edges.map(({ route, ...e }) => ({ ...e, d: routeToPath(route), taken: taken.has(edgeKey(e.from, e.to)), toFail: typeOf(e.to) === 'Fail' }));
  const startNode = block.nodes.find((b) => b.depth === 0 && b.name === definition.StartAt);
  const start = startNode ? { x: startNode.x + startNode.w / 2, y: startNode.y - 26 } : { x: block.axis, y: 14 };
  return { width: block.width, height: block.height, nodes: block.nodes, edges, start };
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

  // Parallel boxes under everything they contain.
  const containers = layout.nodes.filter((b) => b.container);
  for (const b of containers) out.push(containerSvg(definition, b, visited.has(b.name), entries.get(b.name) ?? 0, b.name === last));

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
    // A join ends on the box's bottom, where the Parallel's own edge goes on: no arrowhead.
    const marker = e.kind === 'join' ? '' : ` marker-end="url(#${id}-${arrow})"`;
    const note = catchEdge ? ' (Catch)' : e.kind === 'join' ? ' (end of branch)' : '';
    out.push(
      `<path class="sm-edge ${e.taken ? 'sm-edge-taken' : 'sm-edge-untaken'} sm-edge-${e.kind}" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}" data-taken="${e.taken}" d="${e.d}" fill="none" stroke="${stroke}" stroke-width="${width}"${dash}${marker}><title>${escapeHtml(`${e.from} → ${e.to}${e.label ? ` (${e.label})` : ''}${note}`)}</title></path>`,
    );
    if (e.label && e.labelAt && typeOf(definition, e.from) === 'Choice') {
      labels.push(
        `<text class="sm-edge-label" x="${n(e.labelAt.x)}" y="${n(e.labelAt.y)}" text-anchor="${e.labelAt.anchor}" font-size="9.5" fill="${e.taken ? '#0f172a' : '#8390a2'}" font-weight="${e.taken ? 600 : 400}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(e.label)}</text>`,
      );
    }
  }

  // Nodes.
  for (const b of layout.nodes) {
    if (b.container) continue;
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
    g.push(`<title>${escapeHtml(nodeTitle(definition, b.name, b.type, isTaken, count))}</title>`);
    if (terminal) {
      const ring = b.type === 'Fail' ? '#dc2626' : b.type === 'Succeed' ? '#16a34a' : '#0f172a';
      g.push(shape(b.type, b.x - 4, b.y - 4, b.w + 8, b.h + 8, `fill="none" stroke="${ring}" stroke-width="2" stroke-dasharray="${endKind === 'stopped' ? '4 3' : 'none'}"`));
      // Left of the node when there is room (below it runs the lane into the next row), else under it.
      const left = b.x >= 110;
      const text = `${left ? '' : '▲ '}${endKind === 'stopped' ? 'STOPPED HERE' : `ENDED HERE ${endKind === 'succeeded' ? '✓' : '✗'}`}${left ? ' ▶' : ''}`;
      const at = left ? `x="${n(b.x - 10)}" y="${n(b.y + b.h / 2 + 3.5)}" text-anchor="end"` : `x="${n(b.x + 6)}" y="${n(b.y + b.h + 17)}" text-anchor="start"`;
      g.push(`<text class="sm-end-label" ${at} font-size="9.5" font-weight="700" letter-spacing=".05em" fill="${ring}">${text}</text>`);
    }
    g.push(shape(b.type, b.x, b.y, b.w, b.h, attrs));
    const textX = b.x + (b.type === 'Choice' ? 18 : b.type === 'Wait' || b.type === 'Succeed' ? 16 : 13);
    const badgeW = count > 0 ? 12 + `×${count}`.length * 6.2 + 12 : 0;
    const name = fitText(b.name, b.w - (textX - b.x) - badgeW - 10);
    g.push(
      `<text x="${n(textX)}" y="${n(b.y + 17)}" font-size="${name.size}" font-weight="${isTaken ? 650 : 500}" fill="${isTaken ? '#0f172a' : '#64748b'}">${escapeHtml(name.text)}</text>`,
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

/** A name at 12.5 px when it fits, smaller (down to 9.5 px) when it does not, cut with an ellipsis past that. */
function fitText(text: string, width: number): { text: string; size: number } {
  const em = 0.62; // average advance of (bold, wide: DejaVu) sans letters, in em
  const size = Math.min(12.5, width / Math.max(1, text.length * em));
  if (size >= 9.5) return { text, size: Math.round(size * 10) / 10 };
  return { text: truncate(text, Math.max(4, Math.floor(width / (9.5 * em)))), size: 9.5 };
}

function findState(definition: AslDefinition, name: string): AslState | undefined {
  const stack: AslDefinition[] = [definition];
  while (stack.length > 0) {
    const def = stack.pop()!;
    if (has(def.States, name)) return def.States[name];
    for (const state of Object.values(def.States)) stack.push(...childScopes(state));
  }
  return undefined;
}

function typeOf(definition: AslDefinition, name: string): string | undefined {
  return findState(definition, name)?.Type;
}

function nodeTitle(definition: AslDefinition, name: string, type: string, taken: boolean, count: number): string {
  const comment = findState(definition, name)?.Comment;
  return `${name} (${type})${taken ? ` — entered ${count}×` : ' — not entered'}${comment ? `\n${String(comment)}` : ''}`;
}

/** A Parallel (or Map): a box with its name in a header band; its branches are drawn inside it as nodes. */
function containerSvg(definition: AslDefinition, b: NodeBox, taken: boolean, count: number, terminal: boolean): string {
  const st = typeStyle(b.type);
  const branches = childScopes(findState(definition, b.name)).length;
  const g: string[] = [];
  g.push(
    `<g class="sm-node sm-container ${taken ? 'sm-taken' : 'sm-untaken'} sm-type-${b.type.toLowerCase()}${terminal ? ' sm-terminal' : ''}" data-state="${escapeHtml(b.name)}" data-type="${escapeHtml(b.type)}" data-taken="${taken}" data-entries="${count}" data-branches="${branches}"${terminal ? ' data-terminal="stopped"' : ''}>`,
  );
  g.push(`<title>${escapeHtml(nodeTitle(definition, b.name, b.type, taken, count))}</title>`);
  if (terminal) g.push(`<rect x="${n(b.x - 4)}" y="${n(b.y - 4)}" width="${n(b.w + 8)}" height="${n(b.h + 8)}" rx="12" fill="none" stroke="#0f172a" stroke-width="2" stroke-dasharray="4 3"/>`);
  g.push(
    `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.w)}" height="${n(b.h)}" rx="10" fill="${taken ? '#f8fafc' : '#ffffff'}" stroke="${st.stroke}" stroke-opacity="${taken ? 1 : 0.45}" stroke-width="${taken ? 2 : 1.2}" stroke-dasharray="${taken ? 'none' : '5 3'}"/>`,
  );
  g.push(`<path d="M${n(b.x + 1)} ${n(b.y + HEADER)} L${n(b.x + b.w - 1)} ${n(b.y + HEADER)}" stroke="${st.stroke}" stroke-opacity=".25" stroke-width="1"/>`);
  const name = fitText(b.name, Math.min(220, b.w / 2 - 40));
  g.push(`<text x="${n(b.x + 12)}" y="${n(b.y + 19)}" font-size="${name.size}" font-weight="${taken ? 650 : 500}" fill="${taken ? '#0f172a' : '#64748b'}">${escapeHtml(name.text)}</text>`);
  g.push(
    `<text x="${n(b.x + 12 + name.text.length * name.size * 0.62 + 10)}" y="${n(b.y + 19)}" font-size="8.5" letter-spacing=".08em" fill="${st.stroke}" fill-opacity="${taken ? 1 : 0.6}">${escapeHtml(`${b.type.toUpperCase()} · ${branches} BRANCH${branches === 1 ? '' : 'ES'}`)}</text>`,
  );
  if (count > 0) {
    const label = `×${count}`;
    const bw = 12 + label.length * 6.2;
    const bx = b.x + b.w - bw - 8;
    g.push(
      `<g class="sm-count"><rect x="${n(bx)}" y="${n(b.y + 6)}" width="${n(bw)}" height="18" rx="9" fill="${st.stroke}"/><text x="${n(bx + bw / 2)}" y="${n(b.y + 19)}" text-anchor="middle" font-size="10.5" font-weight="700" fill="#fff">${label}</text></g>`,
    );
  }
  g.push('</g>');
  return g.join('');
}

function has(states: Record<string, AslState>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(states, name);
}
