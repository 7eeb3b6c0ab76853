import { Faults } from '../src/faults';

describe('fault controller', () => {
  it('injects nothing by default', () => {
    const f = new Faults();
    for (let i = 0; i < 20; i++) expect(f.apiFault('CreateTrainingJob')).toBeUndefined();
    expect(f.trainingFailure('job')).toBeUndefined();
    expect(f.hangs('job')).toBe(false);
    expect(f.unhealthy('model')).toBe(false);
    expect(f.stats().total).toBe(0);
  });

  it('fails the first N calls of an operation with ThrottlingException, then lets calls through', () => {
    const f = new Faults({ api: { DescribeTrainingJob: { failFirst: 2 } } });
    expect(f.apiFault('DescribeTrainingJob')?.code).toBe('ThrottlingException');
    expect(f.apiFault('ListModels')).toBeUndefined();
    expect(f.apiFault('DescribeTrainingJob')?.status).toBe(400);
    expect(f.apiFault('DescribeTrainingJob')).toBeUndefined();
    expect(f.stats().api.DescribeTrainingJob).toEqual({ throttled: 2, errors: 0, unavailable: 0 });
  });

  it('draws rates from a seeded generator (reproducible) and counts per kind', () => {
    const run = () => {
      const f = new Faults({ seed: 42, api: { '*': { throttleRate: 0.3, errorRate: 0.3 } } });
      return Array.from({ length: 50 }, () => f.apiFault('CreateModel')?.code ?? 'ok');
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a).toContain('ThrottlingException');
    expect(a).toContain('InternalFailure');
    expect(a).toContain('ok');
  });

  it('errorRate 1 answers InternalFailure (500), unavailableRate 1 ServiceUnavailable (503)', () => {
    expect(new Faults({ api: { X: { errorRate: 1 } } }).apiFault('X')?.status).toBe(500);
    expect(new Faults({ api: { X: { unavailableRate: 1 } } }).apiFault('X')?.status).toBe(503);
  });

  it('matches job and model name patterns and counts injected failures', () => {
    const f = new Faults({
      trainingFailure: { jobNamePattern: '^fail-', reason: 'AlgorithmError: injected' },
      hang: { jobNamePattern: 'hang' },
      unhealthyModel: { modelNamePattern: '-v2$' },
    });
    expect(f.trainingFailure('fail-1')).toBe('AlgorithmError: injected');
    expect(f.trainingFailure('ok-1')).toBeUndefined();
    expect(f.hangs('will-hang-3')).toBe(true);
    expect(f.unhealthy('model-v2')).toBe(true);
    expect(f.unhealthy('model-v1')).toBe(false);
    expect(f.stats()).toMatchObject({ trainingFailures: 1, hangs: 1, unhealthyModels: 1, total: 3 });
    const p = new Faults({ processingFailure: { jobNamePattern: '^prep-', reason: 'ClientError: injected' } });
    expect([p.processingFailure('prep-1'), p.processingFailure('train-1'), p.trainingFailure('prep-1')]).toEqual(['ClientError: injected', undefined, undefined]);
    expect(p.stats()).toMatchObject({ processingFailures: 1, total: 1 });
  });

  it('clear() turns everything off but keeps the counts; set() restarts failFirst', () => {
    const f = new Faults({ api: { A: { failFirst: 1 } } });
    expect(f.apiFault('A')).toBeDefined();
    f.clear();
    expect(f.apiFault('A')).toBeUndefined();
    expect(f.stats().total).toBe(1);
    f.set({ api: { A: { failFirst: 1 } } });
    expect(f.apiFault('A')).toBeDefined();
  });

  it('validates the configuration', () => {
    const f = new Faults();
    expect(() => f.set({ api: { A: { throttleRate: 2 } } })).toThrow(/between 0 and 1/);
    expect(() => f.set({ api: { A: { failFirst: -1 } } })).toThrow(/non-negative/);
    expect(() => f.set({ hang: { jobNamePattern: '(' } })).toThrow(/regular expression/);
    expect(() => f.set({ processingFailure: { jobNamePattern: 'x' } as never })).toThrow(/processingFailure.reason must be a string/);
    expect(() => f.set([] as never)).toThrow(/JSON object/);
  });
});
