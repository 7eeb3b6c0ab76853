/**
 * A service restored from a previous one's exportState(): closed executions answer as they did;
 * one that was RUNNING comes back ABORTED as of when the previous service was last seen, with an
 * error and cause that say why, and a history that ends in ExecutionAborted.
 */
import { INTERRUPTED_ERROR, type PersistedExecution, StepFunctionsService } from '../src';
import { byState } from './helpers';

const DEFINITION = {
  StartAt: 'P',
  States: { P: { Type: 'Pass', Result: { ok: true }, ResultPath: '$.pass', Next: 'W' }, W: { Type: 'Wait', SecondsPath: '$.wait', End: true } },
};
const service = (restore?: { executions: PersistedExecution[]; lastSeen: Date }, name = 'sm') =>
  new StepFunctionsService({ stateMachines: [{ name, definition: DEFINITION }], taskHandlers: byState({}), waitScale: 0.001, restore });
const start = async (svc: StepFunctionsService, name: string, wait: number) =>
  ((await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('sm'), name, input: JSON.stringify({ wait }) })) as { executionArn: string }).executionArn;

describe('restoring executions', () => {
  let previous: StepFunctionsService;
  let done: string;
  let running: string;
  let saved: PersistedExecution[];
  const lastSeen = new Date(Date.now() + 1000);

  beforeAll(async () => {
    previous = service();
    done = await start(previous, 'done', 0);
    await previous.executions.waitForCompletion(done, { timeoutMs: 5000 });
    running = await start(previous, 'running', 1_000_000);
    while (previous.executions.history(running).length < 4) await new Promise((r) => setTimeout(r, 5));
    saved = structuredClone(previous.exportState());
  });

  afterAll(() => previous.shutdown());

  it('answers a closed execution as the previous service did: describe, history, list', async () => {
    const svc = service({ executions: saved, lastSeen });
    const before = await previous.call('DescribeExecution', { executionArn: done });
    expect(await svc.call('DescribeExecution', { executionArn: done })).toEqual(before);
    expect(await svc.call('GetExecutionHistory', { executionArn: done })).toEqual(await previous.call('GetExecutionHistory', { executionArn: done }));
    const listed = (await svc.call('ListExecutions', { stateMachineArn: svc.stateMachineArn('sm') })) as { executions: { name: string; status: string }[] };
    expect(listed.executions.map((e) => [e.name, e.status])).toEqual([['running', 'ABORTED'], ['done', 'SUCCEEDED']]);
  });

  it('aborts the running one as of when the previous service was last seen, naming the state it was in', async () => {
    const svc = service({ executions: saved, lastSeen });
    const described = (await svc.call('DescribeExecution', { executionArn: running })) as { status: string; error: string; cause: string; stopDate: Date };
    expect(described).toMatchObject({ status: 'ABORTED', error: INTERRUPTED_ERROR, stopDate: lastSeen });
    expect(described.cause).toBe("The local Step Functions service stopped (the process was killed or crashed) while this execution was in state 'W'; an execution cannot resume after a restart: start it again.");
    const { events } = (await svc.call('GetExecutionHistory', { executionArn: running })) as { events: { id: number; previousEventId: number; type: string }[] };
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'WaitStateEntered', 'ExecutionAborted']);
    expect(events.at(-1)).toMatchObject({ id: 5, previousEventId: 4, executionAbortedEventDetails: { error: INTERRUPTED_ERROR, cause: described.cause } });
    expect(svc.restored).toEqual({ restored: 2, interrupted: [{ executionArn: running, name: 'running', state: 'W', cause: described.cause }], unknownStateMachine: [] });
  });

  it('keeps a restored execution closed: StopExecution changes nothing, the name stays taken', async () => {
    const svc = service({ executions: saved, lastSeen });
    await svc.call('StopExecution', { executionArn: running, error: 'Mine' });
    expect(await svc.call('DescribeExecution', { executionArn: running })).toMatchObject({ error: INTERRUPTED_ERROR });
    await expect(start(svc, 'done', 0)).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('exports what it restored unchanged, so a second restart finds the same', () => {
    const svc = service({ executions: saved, lastSeen });
    const again = service({ executions: structuredClone(svc.exportState()), lastSeen: new Date(lastSeen.getTime() + 60_000) });
    expect(again.exportState()).toEqual(svc.exportState());
    expect(again.restored!.interrupted).toEqual([]);
  });

  it('reports executions of a state machine it does not have, and leaves them out', () => {
    const svc = service({ executions: saved, lastSeen }, 'renamed');
    expect(svc.restored).toEqual({ restored: 0, interrupted: [], unknownStateMachine: [done, running] });
  });
});
