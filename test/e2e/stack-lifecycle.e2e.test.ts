/**
 * The offline stack listens on loopback only and stops cleanly: after close(), no process it
 * started is alive and none of its ports accepts connections.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UPLOAD_METADATA_KEYS } from '@mlops/common';
import { projectRoot } from '@mlops/serverless-config';
import { startLocalStack } from '@mlops/local-stack';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

it('serves on 127.0.0.1 only and leaves no process or port behind after close()', async () => {
  const stack = await startLocalStack({ waitScale: 0.01 });
  let closed = false;
  try {
    const endpoints = Object.values(stack.endpoints);
    for (const endpoint of endpoints) expect(new URL(endpoint).hostname).toBe('127.0.0.1');
    // A full run, so that Lambda environments, the endpoint's serving process and jobs exist.
    const csv = readFileSync(join(projectRoot(), 'data/abalone.csv'), 'utf8').split('\n').slice(0, 600).join('\n');
    await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'incoming/lifecycle.csv', Body: csv, Metadata: { [UPLOAD_METADATA_KEYS.threshold]: '100' } }));
    // (600 rows: a gate any model passes, since this test is about processes, not quality.)
    await stack.settled();
    const [execution] = stack.stepFunctions.executions.list();
    expect((await stack.stepFunctions.executions.waitForCompletion(execution!.executionArn, { timeoutMs: 90_000 })).status).toBe('SUCCEEDED');

    const pids = [...stack.lambda.pids(), ...stack.sageMaker.state.processes().map((p) => p.pid)];
    const servingPorts = stack.sageMaker.state.processes().flatMap((p) => (p.port ? [p.port] : []));
    expect(stack.lambda.pids().length).toBeGreaterThan(0);
    expect(servingPorts.length).toBeGreaterThan(0); // the endpoint's model server
    const ports = [...endpoints.map((e) => Number(new URL(e).port)), ...servingPorts];
    for (const port of ports) expect(await accepts(port)).toBe(true);

    await stack.close();
    closed = true;
    expect(pids.filter(alive)).toEqual([]);
    for (const port of ports) expect({ port, open: await accepts(port) }).toEqual({ port, open: false });
  } finally {
    if (!closed) await stack.close();
  }
});
