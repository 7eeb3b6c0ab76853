import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageResolver, repositoryName, stripTagOrDigest } from '../src/images';

describe('image URIs', () => {
  it('strips a tag or a digest, not a registry port', () => {
    expect(stripTagOrDigest('123.dkr.ecr.us-east-1.amazonaws.com/team/model:1.2')).toBe('123.dkr.ecr.us-east-1.amazonaws.com/team/model');
    expect(stripTagOrDigest('123.dkr.ecr.us-east-1.amazonaws.com/model@sha256:abc')).toBe('123.dkr.ecr.us-east-1.amazonaws.com/model');
    expect(stripTagOrDigest('localhost:5000/model')).toBe('localhost:5000/model');
    expect(stripTagOrDigest('model')).toBe('model');
  });

  it('finds the repository name without the registry host', () => {
    expect(repositoryName('123.dkr.ecr.us-east-1.amazonaws.com/team/model:1')).toBe('team/model');
    expect(repositoryName('localhost:5000/model:latest')).toBe('model');
    expect(repositoryName('local/failing:1')).toBe('local/failing');
  });
});

describe('ImageResolver', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'train.js'), '');
    file = path.join(dir, 'images.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        images: {
          'acct.dkr.ecr.eu-west-1.amazonaws.com/model:2': { train: ['${node}', 'bin/train.js', '--flag', 'v2'] },
          'acct.dkr.ecr.eu-west-1.amazonaws.com/model': { train: ['${node}', 'bin/train.js'], serve: ['${node}', '${dir}/bin/serve.js'], env: { WHERE: '${dir}' } },
          'team/other': { serve: ['/bin/true'], cwd: 'bin' },
        },
      }),
    );
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('matches the exact URI first, then the URI without tag, then the repository name', () => {
    const r = new ImageResolver(file);
    expect(r.resolve('acct.dkr.ecr.eu-west-1.amazonaws.com/model:2', 'train')?.argv.slice(2)).toEqual(['--flag', 'v2']);
    expect(r.resolve('acct.dkr.ecr.eu-west-1.amazonaws.com/model:3', 'train')?.argv).toEqual([process.execPath, path.join(dir, 'bin', 'train.js')]);
    expect(r.resolve('acct.dkr.ecr.eu-west-1.amazonaws.com/model@sha256:00', 'train')).toBeDefined();
    expect(r.resolve('999.dkr.ecr.us-east-1.amazonaws.com/team/other:latest', 'serve')?.argv).toEqual(['/bin/true']);
  });

  it('expands ${node} and ${dir}, resolves existing relative paths and cwd against the registry folder', () => {
    const r = new ImageResolver(file);
    const serve = r.resolve('acct.dkr.ecr.eu-west-1.amazonaws.com/model:9', 'serve')!;
    expect(serve.argv).toEqual([process.execPath, path.join(dir, 'bin', 'serve.js')]);
    expect(serve.env).toEqual({ WHERE: dir });
    expect(serve.cwd).toBe(dir);
    expect(r.resolve('team/other', 'serve')!.cwd).toBe(path.join(dir, 'bin'));
    expect(serve.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('answers undefined for an unknown image or a missing mode', () => {
    const r = new ImageResolver(file);
    expect(r.resolve('acct.dkr.ecr.eu-west-1.amazonaws.com/unknown:1', 'train')).toBeUndefined();
    expect(r.resolve('team/other', 'train')).toBeUndefined();
  });

  it('registers a processing image by its entrypoint (`process`); image() gives ENV and WORKDIR whatever it registers', () => {
    const r = new ImageResolver({ images: { 'team/prep': { process: ['${node}', 'bin/train.js', '--fast'], env: { STAGE: 'prep' }, cwd: 'bin' } }, baseDir: dir });
    expect(r.resolve('acct.dkr.ecr.eu-west-1.amazonaws.com/team/prep:3', 'process')?.argv).toEqual([process.execPath, path.join(dir, 'bin', 'train.js'), '--fast']);
    expect(r.resolve('team/prep', 'train')).toBeUndefined();
    const image = r.image('team/prep:3')!;
    expect([image.env, image.cwd, Object.keys(image.commands)]).toEqual([{ STAGE: 'prep' }, path.join(dir, 'bin'), ['process']]);
    expect(new ImageResolver(file).image('team/other')?.commands.process).toBeUndefined();
    expect(r.image('team/unknown')).toBeUndefined();
    expect(() => new ImageResolver({ images: { bad: { process: 'run.sh' as never } } })).toThrow(/images\["bad"\]\.process must be a non-empty array/);
  });

  it('re-reads the file when it changes', () => {
    const r = new ImageResolver(file);
    expect(r.resolve('new/image:1', 'serve')).toBeUndefined();
    const reg = JSON.parse(fs.readFileSync(file, 'utf8'));
    reg.images['new/image'] = { serve: ['/bin/true'] };
    fs.writeFileSync(file, JSON.stringify(reg));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    expect(r.resolve('new/image:1', 'serve')?.argv).toEqual(['/bin/true']);
  });

  it('accepts an object registry and rejects malformed ones', () => {
    const r = new ImageResolver({ images: { 'x/y': { train: ['prog'] } }, baseDir: dir });
    expect(r.resolve('x/y:1', 'train')?.cwd).toBe(dir);
    expect(() => new ImageResolver({ images: { bad: { train: [] } } })).toThrow(/non-empty array/);
    expect(() => new ImageResolver({} as never)).toThrow(/expected/);
  });
});
