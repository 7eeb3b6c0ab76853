import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { childScopes, layoutStateMachine, renderStateMachineSvg, stateEdges, takenTransitions, type AslDefinition, type AslState } from '../src';
import { challengerBranch, championBranch, pipelineDefinition, succeededPath } from './fixtures';
import { num, tags } from './helpers';

const definition = pipelineDefinition();

/** Every state of every scope, with its type. */
function allStatesOf(def: AslDefinition): Map<string, AslState> {
  const out = new Map<string, AslState>();
  const walk = (d: AslDefinition) => {
    for (const [name, state] of Object.entries(d.States)) {
      out.set(name, state);
      childScopes(state).forEach(walk);
    }
  };
  walk(def);
  return out;
}
const all = allStatesOf(definition);
const allStates = [...all.keys()];
const topLevel = Object.keys(definition.States);
const [challengerScope, championScope] = childScopes(definition.States.Transforms);
const challengerStates = Object.keys(challengerScope!.States);
const championStates = Object.keys(championScope!.States);

const key = (from: string, to: string) => `${from} -> ${to}`;
function keys(set: Set<string>): Set<string> {
  return new Set([...set].map((k) => k.replace('\u0000', ' -> ')));
}

describe('the pipeline ASL the report draws', () => {
  it('has the Parallel Transforms with the challenger and the champion branches', () => {
    expect(definition.States.Transforms!.Type).toBe('Parallel');
    expect(challengerScope!.StartAt).toBe('ChallengerPollInit');
    expect(championScope!.StartAt).toBe('HasChampion');
    // The fixtures' paths name real states.
    for (const s of [...succeededPath(), ...championBranch(0)]) expect(all.has(s)).toBe(true);
  });
});

describe('stateEdges', () => {
  const edges = stateEdges(definition);
  const find = (from: string, to: string) => edges.find((e) => e.from === from && e.to === to);

  it('reads Next, Choices, Default and Catch at the top level', () => {
    expect(find('Train', 'TrainingPollInit')?.kind).toBe('next');
    expect(find('Train', 'RecordRun')?.kind).toBe('catch');
    expect(find('TrainingDone', 'Batch')).toMatchObject({ kind: 'choice', label: 'state = Succeeded' });
    expect(find('TrainingDone', 'PollBudgetExceeded')).toMatchObject({ kind: 'choice', label: 'attempt ≥ 400' });
    expect(find('TrainingDone', 'WaitForTraining')).toMatchObject({ kind: 'default', label: 'default' });
    expect(find('WaitForTraining', 'AwaitTraining')?.kind).toBe('next');
    expect(find('Batch', 'Transforms')?.kind).toBe('next');
    expect(find('Transforms', 'Evaluate')?.kind).toBe('next');
    expect(find('Transforms', 'RecordRun')?.kind).toBe('catch');
    expect(find('QualityGate', 'Register')?.label).toBe('passed = true');
    expect(find('QualityGate', 'QualityGateFailed')?.kind).toBe('default');
    expect(find('Approval', 'Deploy')).toMatchObject({ kind: 'choice', label: 'approvalStatus = Approv…' }); // labels are cut at 24 characters (the edge's title has it all)
    expect(find('Approval', 'RecordRun')?.kind).toBe('default');
    expect(find('Deploy', 'RecordRun')?.kind).toBe('next');
    expect(find('Outcome', 'AwaitingApproval')?.kind).toBe('choice');
    expect(find('Outcome', 'Deployed')?.kind).toBe('default');
    expect(find('Outcome', 'PipelineFailed')?.kind).toBe('choice');
    expect(find('Outcome', 'RunFailed')?.kind).toBe('choice');
    // Every top-level Task is caught into RecordRun (RecordRun itself into Outcome).
    for (const t of topLevel.filter((s) => ['Task', 'Parallel'].includes(definition.States[s]!.Type) && s !== 'RecordRun')) expect(find(t, 'RecordRun')).toBeDefined();
    expect(find('RecordRun', 'Outcome')?.kind).toBe('next');
  });

  it('reads the transitions inside each branch, forks from the Parallel and joins back to it', () => {
    expect(find('Transforms', 'ChallengerPollInit')).toMatchObject({ kind: 'branch', label: 'branch 1' });
    expect(find('Transforms', 'HasChampion')).toMatchObject({ kind: 'branch', label: 'branch 2' });
    expect(find('ChallengerPollInit', 'AwaitChallengerTransform')?.kind).toBe('next');
    expect(find('ChallengerTransformDone', 'ChallengerTransformed')).toMatchObject({ kind: 'choice', label: 'state = Succeeded' });
    expect(find('ChallengerTransformDone', 'ChallengerTransformFailed')).toMatchObject({ kind: 'choice', label: 'state = Failed' });
    expect(find('ChallengerTransformDone', 'WaitForChallengerTransform')?.kind).toBe('default');
    expect(find('WaitForChallengerTransform', 'AwaitChallengerTransform')?.kind).toBe('next');
    expect(find('HasChampion', 'ChampionPollInit')).toMatchObject({ kind: 'choice', label: 'champion Present' });
    expect(find('HasChampion', 'NoChampion')?.kind).toBe('default');
    expect(find('ChampionTransformDone', 'ChampionPollBudgetExceeded')?.kind).toBe('choice');
    // The states that end a branch (End: true) join the Parallel; nothing else does.
    expect(edges.filter((e) => e.kind === 'join').map((e) => key(e.from, e.to)).sort()).toEqual([
      'ChallengerTransformed -> Transforms',
      'ChampionTransformed -> Transforms',
      'NoChampion -> Transforms',
    ]);
    // No transition crosses a scope except the fork and the join.
    for (const e of edges.filter((x) => x.kind !== 'branch' && x.kind !== 'join')) {
      const scope = (s: string) => (challengerStates.includes(s) ? 1 : championStates.includes(s) ? 2 : 0);
      expect([e.from, scope(e.from), scope(e.to)]).toEqual([e.from, scope(e.from), scope(e.from)]);
    }
  });

  it('lets nothing leave a terminal state, and reaches every state', () => {
    expect(edges.filter((e) => ['Fail', 'Succeed'].includes(all.get(e.from)!.Type) && e.kind !== 'join')).toEqual([]);
    const reached = new Set([definition.StartAt, ...edges.map((e) => e.to)]);
    expect([...reached].sort()).toEqual([...allStates].sort());
  });
});

describe('takenTransitions', () => {
  it('follows each branch on its own, whether the branches interleave (AWS) or follow each other (offline)', () => {
    const interleaved = keys(takenTransitions(definition, succeededPath()));
    const sequential = keys(takenTransitions(definition, succeededPath({ interleaved: false })));
    expect(interleaved).toEqual(sequential);
    for (const k of [
      'Batch -> Transforms',
      'Transforms -> ChallengerPollInit',
      'Transforms -> HasChampion',
      'ChallengerTransformDone -> WaitForChallengerTransform',
      'WaitForChallengerTransform -> AwaitChallengerTransform',
      'ChallengerTransformDone -> ChallengerTransformed',
      'ChallengerTransformed -> Transforms',
      'HasChampion -> ChampionPollInit',
      'ChampionTransformDone -> ChampionTransformed',
      'ChampionTransformed -> Transforms',
      'Transforms -> Evaluate',
      'Approval -> Deploy',
      'Deploy -> RecordRun',
      'Outcome -> Deployed',
    ]) {
      expect(interleaved.has(k)).toBe(true);
    }
    // Consecutive events of different branches are not transitions.
    expect(interleaved.has('ChallengerPollInit -> HasChampion')).toBe(false);
    expect(interleaved.has('HasChampion -> NoChampion')).toBe(false);
    expect([...interleaved].every((k) => stateEdges(definition).some((e) => key(e.from, e.to) === k))).toBe(true);
  });

  it('takes the no-champion branch of a family’s first model', () => {
    const taken = keys(takenTransitions(definition, succeededPath({ championPolls: 0 })));
    expect(taken.has('HasChampion -> NoChampion')).toBe(true);
    expect(taken.has('NoChampion -> Transforms')).toBe(true);
    expect(taken.has('HasChampion -> ChampionPollInit')).toBe(false);
  });
});

describe('layoutStateMachine (the real pipeline)', () => {
  const layout = layoutStateMachine(definition, succeededPath());
  const byName = new Map(layout.nodes.map((b) => [b.name, b]));
  const column = (scope: string) =>
    layout.nodes
      .filter((b) => b.scope === scope)
      .sort((a, b) => a.row - b.row)
      .map((b) => b.name);

  it('places every state of every scope once', () => {
    expect(layout.nodes.map((b) => b.name).sort()).toEqual([...allStates].sort());
  });

  it('lays each scope out as a column from its StartAt, each poll loop’s Wait right under its Choice', () => {
    expect(column('')).toEqual([
      'Train', 'TrainingPollInit', 'AwaitTraining', 'TrainingDone', 'WaitForTraining',
      'Batch', 'Transforms', 'Evaluate', 'QualityGate', 'Register', 'Approval', 'Deploy',
      'QualityGateFailed', 'TrainingFailed', 'PollBudgetExceeded',
      'RecordRun', 'Outcome', 'AwaitingApproval', 'Deployed', 'RunFailed', 'PipelineFailed',
    ]);
    expect(column('Transforms[0]')).toEqual([
      'ChallengerPollInit', 'AwaitChallengerTransform', 'ChallengerTransformDone', 'WaitForChallengerTransform', 'ChallengerTransformed',
      'ChallengerTransformFailed', 'ChallengerPollBudgetExceeded',
    ]);
    expect(column('Transforms[1]')).toEqual([
      'HasChampion', 'ChampionPollInit', 'AwaitChampionTransform', 'ChampionTransformDone', 'WaitForChampionTransform', 'ChampionTransformed',
      'ChampionTransformFailed', 'ChampionPollBudgetExceeded', 'NoChampion',
    ]);
    // One axis per column, rows top to bottom.
    for (const scope of ['', 'Transforms[0]', 'Transforms[1]']) {
      const boxes = column(scope).map((s) => byName.get(s)!);
      expect(new Set(boxes.map((b) => b.x + b.w / 2)).size).toBe(1);
      for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.y).toBeGreaterThanOrEqual(boxes[i - 1]!.y + boxes[i - 1]!.h);
    }
  });

  it('draws the Parallel as a box holding its two branches side by side', () => {
    const box = byName.get('Transforms')!;
    expect(box).toMatchObject({ container: true, type: 'Parallel', depth: 0 });
    const inside = (b: { x: number; y: number; w: number; h: number }) => b.x > box.x && b.y > box.y && b.x + b.w < box.x + box.w && b.y + b.h < box.y + box.h;
    for (const s of [...challengerStates, ...championStates]) {
      expect(byName.get(s)).toMatchObject({ depth: 1, container: false });
      expect(inside(byName.get(s)!)).toBe(true);
    }
    // Side by side: every challenger state left of every champion state, both starting under the header.
    const challengerRight = Math.max(...challengerStates.map((s) => byName.get(s)!.x + byName.get(s)!.w));
    const championLeft = Math.min(...championStates.map((s) => byName.get(s)!.x));
    expect(challengerRight).toBeLessThan(championLeft);
    expect(byName.get('ChallengerPollInit')!.y).toBe(byName.get('HasChampion')!.y);
    // The top-level states before and after it are outside it.
    for (const s of ['Batch', 'Evaluate']) expect(inside(byName.get(s)!)).toBe(false);
    expect(byName.get('Evaluate')!.y).toBeGreaterThan(box.y + box.h);
  });

  it('keeps nodes from overlapping (except a box and what it holds) and inside the drawing', () => {
    const holds = (a: string, b: string) => a === 'Transforms' && (challengerStates.includes(b) || championStates.includes(b));
    for (const a of layout.nodes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + a.w).toBeLessThanOrEqual(layout.width);
      expect(a.y + a.h).toBeLessThanOrEqual(layout.height);
      for (const b of layout.nodes) {
        if (a === b || holds(a.name, b.name) || holds(b.name, a.name)) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
    }
    expect(layout.width).toBeLessThan(1000);
  });

  it('draws the poll loops as curves on the left (Wait -> Task), in every scope', () => {
    const curves = layout.edges.filter((e) => e.d.includes('C'));
    expect(curves.map((e) => key(e.from, e.to)).sort()).toEqual([
      'WaitForChallengerTransform -> AwaitChallengerTransform',
      'WaitForChampionTransform -> AwaitChampionTransform',
      'WaitForTraining -> AwaitTraining',
    ]);
    for (const c of curves) {
      const xs = [...c.d.matchAll(/-?\d+(\.\d+)?/g)].filter((_, i) => i % 2 === 0).map((m) => Number(m[0]));
      expect(Math.min(...xs)).toBeLessThan(byName.get(c.to)!.x);
    }
  });

  it('routes every edge of every scope, the fork from the box’s top and the joins to its bottom', () => {
    expect(layout.edges.map((e) => key(e.from, e.to)).sort()).toEqual(stateEdges(definition).map((e) => key(e.from, e.to)).sort());
    const box = byName.get('Transforms')!;
    const endOf = (d: string) => d.match(/(-?[\d.]+) (-?[\d.]+)$/)!.slice(1).map(Number);
    const startOf = (d: string) => d.match(/^M(-?[\d.]+) (-?[\d.]+)/)!.slice(1).map(Number);
    for (const fork of layout.edges.filter((e) => e.kind === 'branch')) {
      expect(startOf(fork.d)).toEqual([box.x + box.w / 2, box.y]);
      const target = byName.get(fork.to)!;
      expect(endOf(fork.d)).toEqual([target.x + target.w / 2, target.y]);
    }
    for (const join of layout.edges.filter((e) => e.kind === 'join')) expect(endOf(join.d)).toEqual([box.x + box.w / 2, box.y + box.h]);
    // Into and out of the box along the column's axis.
    const out = layout.edges.find((e) => e.from === 'Transforms' && e.to === 'Evaluate')!;
    expect(startOf(out.d)).toEqual([box.x + box.w / 2, box.y + box.h]);
  });
});

describe('renderStateMachineSvg', () => {
  it('contains every state name of the pipeline ASL as a node, the Parallel as a box', () => {
    const svg = renderStateMachineSvg(definition, []);
    const nodes = tags(svg, 'g', 'sm-node').map((t) => t.attrs['data-state']);
    expect(nodes.sort()).toEqual([...allStates].sort());
    for (const s of allStates) expect(svg).toContain(s);
    const box = tags(svg, 'g', 'sm-container');
    expect(box.map((t) => [t.attrs['data-state'], t.attrs['data-type'], t.attrs['data-branches']])).toEqual([['Transforms', 'Parallel', '2']]);
    // The box is drawn before (under) the edges and the states it holds.
    expect(svg.indexOf('data-state="Transforms"')).toBeLessThan(svg.indexOf('class="sm-edge'));
    expect(svg.indexOf('data-state="Transforms"')).toBeLessThan(svg.indexOf('data-state="ChallengerPollInit"'));
  });

  it('highlights exactly the taken path, branch states included, with entry counts', () => {
    for (const path of [succeededPath(), succeededPath({ interleaved: false })]) {
      const svg = renderStateMachineSvg(definition, path);
      const nodes = tags(svg, 'g', 'sm-node');
      const taken = nodes.filter((t) => t.attrs.class!.split(' ').includes('sm-taken')).map((t) => t.attrs['data-state']);
      const untaken = nodes.filter((t) => t.attrs.class!.split(' ').includes('sm-untaken')).map((t) => t.attrs['data-state']);
      expect(new Set(taken)).toEqual(new Set(path));
      expect(taken).toHaveLength(new Set(path).size);
      expect(untaken.sort()).toEqual(allStates.filter((s) => !path.includes(s)).sort());
      expect(untaken).toEqual(expect.arrayContaining(['TrainingFailed', 'PipelineFailed', 'RunFailed', 'PollBudgetExceeded', 'QualityGateFailed', 'AwaitingApproval', 'NoChampion', 'ChallengerTransformFailed', 'ChampionPollBudgetExceeded']));
      const entries = Object.fromEntries(nodes.map((t) => [t.attrs['data-state'], Number(t.attrs['data-entries'])]));
      expect(entries).toMatchObject({ Train: 1, AwaitTraining: 7, TrainingDone: 7, WaitForTraining: 6, Transforms: 1, AwaitChallengerTransform: 3, AwaitChampionTransform: 2, Deploy: 1, Deployed: 1, TrainingFailed: 0 });
      expect(svg).toContain('>×7<');
      expect(svg).toContain('>×6<');

      const edges = tags(svg, 'path', 'sm-edge');
      const takenEdges = edges.filter((t) => t.attrs['data-taken'] === 'true').map((t) => key(t.attrs['data-from']!, t.attrs['data-to']!));
      expect(new Set(takenEdges)).toEqual(keys(takenTransitions(definition, path)));
      expect(takenEdges).toHaveLength(new Set(takenEdges).size);
      expect(takenEdges).toEqual(expect.arrayContaining(['Transforms -> ChallengerPollInit', 'Transforms -> HasChampion', 'ChallengerTransformed -> Transforms', 'ChampionTransformed -> Transforms', 'Transforms -> Evaluate']));
      for (const t of edges.filter((x) => x.attrs['data-taken'] === 'true')) expect(num(t, 'stroke-width')).toBeGreaterThan(2);
      for (const t of edges.filter((x) => x.attrs['data-taken'] === 'false')) expect(num(t, 'stroke-width')).toBeLessThan(1.5);
    }
  });

  it('marks the terminal state reached', () => {
    const ok = tags(renderStateMachineSvg(definition, succeededPath()), 'g', 'sm-terminal');
    expect(ok.map((t) => [t.attrs['data-state'], t.attrs['data-terminal']])).toEqual([['Deployed', 'succeeded']]);

    // The challenger's transform fails: its branch ends in its Fail state, the Parallel's Catch records the run.
    const failed = ['Train', 'TrainingPollInit', 'AwaitTraining', 'TrainingDone', 'Batch', 'Transforms', 'ChallengerPollInit', 'HasChampion', 'AwaitChallengerTransform', 'NoChampion', 'ChallengerTransformDone', 'ChallengerTransformFailed', 'RecordRun', 'Outcome', 'PipelineFailed'];
    const svg = renderStateMachineSvg(definition, failed);
    expect(tags(svg, 'g', 'sm-terminal').map((t) => [t.attrs['data-state'], t.attrs['data-terminal']])).toEqual([['PipelineFailed', 'failed']]);
    const edge = (from: string, to: string) => tags(svg, 'path', 'sm-edge').find((t) => t.attrs['data-from'] === from && t.attrs['data-to'] === to)!;
    expect(edge('Transforms', 'RecordRun').attrs.class).toContain('sm-edge-catch');
    expect(edge('Transforms', 'RecordRun').attrs['data-taken']).toBe('true');
    expect(edge('ChallengerTransformDone', 'ChallengerTransformFailed').attrs['data-taken']).toBe('true');
    expect(edge('ChallengerTransformDone', 'ChallengerTransformFailed').attrs['marker-end']).toContain('arrow-fail');
    expect(edge('NoChampion', 'Transforms').attrs['data-taken']).toBe('true');
    expect(edge('Transforms', 'Evaluate').attrs['data-taken']).toBe('false');
    expect(edge('Outcome', 'PipelineFailed').attrs['data-taken']).toBe('true');

    // Still running inside the Parallel.
    const running = tags(renderStateMachineSvg(definition, ['Train', 'TrainingPollInit', 'AwaitTraining', 'TrainingDone', 'Batch', 'Transforms', 'ChallengerPollInit', 'AwaitChallengerTransform']), 'g', 'sm-terminal');
    expect(running.map((t) => [t.attrs['data-state'], t.attrs['data-terminal']])).toEqual([['AwaitChallengerTransform', 'stopped']]);
  });

  it('draws the branch states of the real file the offline stack runs (loaded from YAML)', () => {
    const file = load(readFileSync(join(__dirname, '..', '..', '..', 'statemachines', 'pipeline.asl.yml'), 'utf8')) as AslDefinition;
    const svg = renderStateMachineSvg(file, [...challengerBranch(1)]);
    expect(tags(svg, 'g', 'sm-taken').map((t) => t.attrs['data-state'])).toEqual(expect.arrayContaining(['ChallengerPollInit', 'AwaitChallengerTransform', 'ChallengerTransformed']));
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('draws the deploy state machine too (the endpoint poll loop lives there now)', () => {
    const deploy = load(readFileSync(join(__dirname, '..', '..', '..', 'statemachines', 'deploy.asl.yml'), 'utf8')) as AslDefinition;
    const path = ['Deploy', 'EndpointPollInit', 'AwaitEndpoint', 'EndpointDone', 'WaitForEndpoint', 'AwaitEndpoint', 'EndpointDone', 'RecordDeployment', 'Outcome', 'Deployed'];
    const layout = layoutStateMachine(deploy, path);
    expect(layout.nodes.map((b) => b.name).sort()).toEqual(Object.keys(deploy.States).sort());
    // Both loops curve back: the endpoint's poll loop and the turn loop (a deploy waiting for another rollout).
    expect(layout.edges.filter((e) => e.d.includes('C')).map((e) => key(e.from, e.to)).sort()).toEqual(['WaitForEndpoint -> AwaitEndpoint', 'WaitForTurn -> Deploy']);
    expect(layout.edges.filter((e) => e.taken).map((e) => key(e.from, e.to))).toEqual(expect.arrayContaining(['EndpointDone -> RecordDeployment', 'Outcome -> Deployed']));
    expect(renderStateMachineSvg(deploy, path)).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('escapes state names and uses unique, prefixed marker ids', () => {
    const evil: AslDefinition = {
      StartAt: '<img src=x onerror=alert(1)>',
      States: {
        '<img src=x onerror=alert(1)>': { Type: 'Pass', Next: 'a"b' },
        'a"b': { Type: 'Parallel', Branches: [{ StartAt: '<b>', States: { '<b>': { Type: 'Pass', End: true } } }], End: true },
      },
    };
    const svg = renderStateMachineSvg(evil, ['<img src=x onerror=alert(1)>', 'a"b', '<b>'], { idPrefix: 'x1' });
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(tags(svg, 'g', 'sm-node').map((t) => t.attrs['data-state']).sort()).toEqual(['<b>', '<img src=x onerror=alert(1)>', 'a"b']);
    expect(svg).toContain('id="x1-arrow-taken"');
  });

  it('copes with small and odd definitions (unreachable states, self loops, names like "constructor", nested Parallels, Maps)', () => {
    const def: AslDefinition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Choice', Choices: [{ Variable: '$.x', NumericLessThan: 3, Next: 'A' }, { And: [], Next: 'B' }], Default: 'Boom' },
        B: { Type: 'Task', Next: 'C', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handler' }] },
        C: { Type: 'Succeed' },
        Handler: { Type: 'Pass', Next: 'Boom' },
        constructor: { Type: 'Wait', Next: 'nowhere' },
        Boom: { Type: 'Fail' },
      },
    };
    const layout = layoutStateMachine(def, ['A', 'A', 'B', 'Handler', 'Boom']);
    expect(layout.nodes.map((b) => b.name).sort()).toEqual(['A', 'B', 'Boom', 'C', 'Handler', 'constructor']);
    const svg = renderStateMachineSvg(def, ['A', 'A', 'B', 'Handler', 'Boom']);
    expect(tags(svg, 'path', 'sm-edge').filter((t) => t.attrs['data-taken'] === 'true').map((t) => `${t.attrs['data-from']}>${t.attrs['data-to']}`).sort()).toEqual([
      'A>A',
      'A>B',
      'B>Handler',
      'Handler>Boom',
    ]);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(renderStateMachineSvg({ StartAt: 'Only', States: { Only: { Type: 'Succeed' } } }, [])).toContain('data-state="Only"');

    const nested: AslDefinition = {
      StartAt: 'Outer',
      States: {
        Outer: {
          Type: 'Parallel',
          Next: 'Each',
          Branches: [
            { StartAt: 'Inner', States: { Inner: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'X', States: { X: { Type: 'Succeed' } } }, { StartAt: 'Y', States: { Y: { Type: 'Pass', End: true } } }] } } },
            { StartAt: 'Z', States: { Z: { Type: 'Fail' } } },
          ],
        },
        Each: { Type: 'Map', ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Task', End: true } } }, End: true },
      },
    };
    const path = ['Outer', 'Inner', 'X', 'Y', 'Z', 'Each', 'Item', 'Item'];
    const nestedLayout = layoutStateMachine(nested, path);
    expect(nestedLayout.nodes.filter((b) => b.container).map((b) => [b.name, b.depth])).toEqual([['Outer', 0], ['Inner', 1], ['Each', 0]]);
    expect(nestedLayout.nodes.find((b) => b.name === 'X')!.depth).toBe(2);
    expect(nestedLayout.edges.filter((e) => e.taken).map((e) => key(e.from, e.to)).sort()).toEqual(
      ['Each -> Item', 'Inner -> X', 'Inner -> Y', 'Item -> Each', 'Outer -> Each', 'Outer -> Inner', 'Outer -> Z', 'X -> Inner', 'Y -> Inner', 'Inner -> Outer'].sort(),
    );
    expect(renderStateMachineSvg(nested, path)).not.toMatch(/NaN|undefined|Infinity/);
  });
});
