import { layoutStateMachine, renderStateMachineSvg, stateEdges, type AslDefinition } from '../src';
import { pipelineDefinition, succeededPath } from './fixtures';
import { num, tags } from './helpers';

const definition = pipelineDefinition();
const allStates = Object.keys(definition.States);

function pairs(path: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i < path.length; i++) out.add(`${path[i - 1]} -> ${path[i]}`);
  return out;
}

describe('stateEdges', () => {
  it('reads Next, Choices, Default and Catch from the pipeline ASL', () => {
    const edges = stateEdges(definition);
    const find = (from: string, to: string) => edges.find((e) => e.from === from && e.to === to);
    expect(find('Train', 'TrainingPollInit')?.kind).toBe('next');
    expect(find('Train', 'PipelineFailed')?.kind).toBe('catch');
    expect(find('TrainingDone', 'Batch')).toMatchObject({ kind: 'choice', label: 'state = Succeeded' });
    expect(find('TrainingDone', 'PollBudgetExceeded')).toMatchObject({ kind: 'choice', label: 'attempt ≥ 400' });
    expect(find('TrainingDone', 'WaitForTraining')).toMatchObject({ kind: 'default', label: 'default' });
    expect(find('WaitForTraining', 'AwaitTraining')?.kind).toBe('next');
    expect(find('QualityGate', 'Deploy')?.label).toBe('passed = true');
    // Catch from every Task, and nothing leaves a terminal state.
    const tasks = allStates.filter((s) => definition.States[s]!.Type === 'Task');
    for (const t of tasks) expect(find(t, 'PipelineFailed')).toBeDefined();
    expect(edges.filter((e) => ['Fail', 'Succeed'].includes(definition.States[e.from]!.Type))).toEqual([]);
  });
});

describe('layoutStateMachine (the real pipeline)', () => {
  const layout = layoutStateMachine(definition, succeededPath());
  const byName = new Map(layout.nodes.map((b) => [b.name, b]));

  it('places every state once', () => {
    expect(layout.nodes.map((b) => b.name).sort()).toEqual([...allStates].sort());
  });

  it('puts non-Fail states in one column from StartAt, with each poll loop Wait right under its Choice', () => {
    const main = layout.nodes.filter((b) => b.column === 'main').sort((a, b) => a.row - b.row);
    expect(main[0]!.name).toBe('Train');
    expect(new Set(main.map((b) => b.x)).size).toBe(1);
    expect(main.map((b) => b.name)).toEqual([
      'Train', 'TrainingPollInit', 'AwaitTraining', 'TrainingDone', 'WaitForTraining',
      'Batch', 'TransformPollInit', 'AwaitTransform', 'TransformDone', 'WaitForTransform',
      'Evaluate', 'QualityGate', 'Deploy', 'EndpointPollInit', 'AwaitEndpoint', 'EndpointDone', 'WaitForEndpoint',
      'Deployed',
    ]);
  });

  it('puts Fail states in a side column to the right, each on its own row', () => {
    const fails = layout.nodes.filter((b) => b.column === 'fail');
    expect(fails.map((b) => b.name).sort()).toEqual(allStates.filter((s) => definition.States[s]!.Type === 'Fail').sort());
    const mainRight = byName.get('Train')!.x + byName.get('Train')!.w;
    for (const f of fails) expect(f.x).toBeGreaterThan(mainRight + 100);
    expect(new Set(fails.map((f) => f.row)).size).toBe(fails.length);
    // A Fail state reached from one Choice sits level with it.
    expect(byName.get('TrainingFailed')!.row).toBe(byName.get('TrainingDone')!.row);
    expect(byName.get('QualityGateFailed')!.row).toBe(byName.get('QualityGate')!.row);
  });

  it('keeps nodes from overlapping and inside the drawing', () => {
    for (const a of layout.nodes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + a.w).toBeLessThanOrEqual(layout.width);
      expect(a.y + a.h).toBeLessThanOrEqual(layout.height);
      for (const b of layout.nodes) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
    }
    expect(layout.width).toBeLessThan(760);
  });

  it('draws the poll loops as curves on the left (Wait -> Task)', () => {
    const curves = layout.edges.filter((e) => e.d.includes('C'));
    expect(curves.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual([
      'WaitForEndpoint -> AwaitEndpoint',
      'WaitForTraining -> AwaitTraining',
      'WaitForTransform -> AwaitTransform',
    ]);
    for (const c of curves) {
      const xs = [...c.d.matchAll(/-?\d+(\.\d+)?/g)].filter((_, i) => i % 2 === 0).map((m) => Number(m[0]));
      expect(Math.min(...xs)).toBeLessThan(byName.get(c.to)!.x);
    }
  });
});

describe('renderStateMachineSvg', () => {
  it('contains every state name of the pipeline ASL as a node', () => {
    const svg = renderStateMachineSvg(definition, []);
    const nodes = tags(svg, 'g', 'sm-node').map((t) => t.attrs['data-state']);
    expect(nodes.sort()).toEqual([...allStates].sort());
    for (const s of allStates) expect(svg).toContain(s);
  });

  it('highlights exactly the taken path, with entry counts', () => {
    const path = succeededPath();
    const svg = renderStateMachineSvg(definition, path);
    const nodes = tags(svg, 'g', 'sm-node');
    const taken = nodes.filter((t) => t.attrs.class!.split(' ').includes('sm-taken')).map((t) => t.attrs['data-state']);
    const untaken = nodes.filter((t) => t.attrs.class!.split(' ').includes('sm-untaken')).map((t) => t.attrs['data-state']);
    expect(new Set(taken)).toEqual(new Set(path));
    expect(taken).toHaveLength(new Set(path).size);
    expect(untaken.sort()).toEqual(allStates.filter((s) => !path.includes(s)).sort());
    expect(untaken).toEqual(expect.arrayContaining(['TrainingFailed', 'PipelineFailed', 'PollBudgetExceeded', 'QualityGateFailed']));
    const entries = Object.fromEntries(nodes.map((t) => [t.attrs['data-state'], Number(t.attrs['data-entries'])]));
    expect(entries).toMatchObject({ Train: 1, AwaitTraining: 7, TrainingDone: 7, WaitForTraining: 6, AwaitTransform: 3, AwaitEndpoint: 4, Deployed: 1, TrainingFailed: 0 });
    expect(svg).toContain('>×7<');
    expect(svg).toContain('>×6<');

    const edges = tags(svg, 'path', 'sm-edge');
    const takenEdges = edges.filter((t) => t.attrs['data-taken'] === 'true').map((t) => `${t.attrs['data-from']} -> ${t.attrs['data-to']}`);
    expect(new Set(takenEdges)).toEqual(pairs(path));
    expect(takenEdges).toHaveLength(pairs(path).size);
    for (const t of edges.filter((x) => x.attrs['data-taken'] === 'true')) expect(num(t, 'stroke-width')).toBeGreaterThan(2);
    for (const t of edges.filter((x) => x.attrs['data-taken'] === 'false')) expect(num(t, 'stroke-width')).toBeLessThan(1.5);
  });

  it('marks the terminal state reached', () => {
    const ok = tags(renderStateMachineSvg(definition, succeededPath()), 'g', 'sm-terminal');
    expect(ok.map((t) => [t.attrs['data-state'], t.attrs['data-terminal']])).toEqual([['Deployed', 'succeeded']]);

    const caught = ['Train', 'TrainingPollInit', 'AwaitTraining', 'TrainingDone', 'Batch', 'PipelineFailed'];
    const svg = renderStateMachineSvg(definition, caught);
    expect(tags(svg, 'g', 'sm-terminal').map((t) => [t.attrs['data-state'], t.attrs['data-terminal']])).toEqual([['PipelineFailed', 'failed']]);
    const catchEdge = tags(svg, 'path', 'sm-edge').find((t) => t.attrs['data-from'] === 'Batch' && t.attrs['data-to'] === 'PipelineFailed')!;
    expect(catchEdge.attrs.class).toContain('sm-edge-catch');
    expect(catchEdge.attrs['data-taken']).toBe('true');

    const running = tags(renderStateMachineSvg(definition, ['Train', 'TrainingPollInit', 'AwaitTraining']), 'g', 'sm-terminal');
    expect(running.map((t) => t.attrs['data-terminal'])).toEqual(['stopped']);
  });

  it('escapes state names and uses unique, prefixed marker ids', () => {
    const evil: AslDefinition = {
      StartAt: '<img src=x onerror=alert(1)>',
      States: {
        '<img src=x onerror=alert(1)>': { Type: 'Pass', Next: 'a"b' },
        'a"b': { Type: 'Succeed' },
      },
    };
    const svg = renderStateMachineSvg(evil, ['<img src=x onerror=alert(1)>', 'a"b'], { idPrefix: 'x1' });
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(tags(svg, 'g', 'sm-node').map((t) => t.attrs['data-state']).sort()).toEqual(['<img src=x onerror=alert(1)>', 'a"b']);
    expect(svg).toContain('id="x1-arrow-taken"');
  });

  it('copes with small and odd definitions (unreachable states, self loops, names like "constructor")', () => {
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
  });
});
