import { candidatePaths, checkXGBoost, LIBRARY_ENV, loadXGBoost, PlatformError, REQUIRED_VERSION } from '../src';

describe('loadXGBoost', () => {
  it('loads libxgboost 1.7.4 from the standard places', () => {
    expect(loadXGBoost({}).version).toBe(REQUIRED_VERSION);
  });

  it('fails with what to install when the library is missing', () => {
    const env = { [LIBRARY_ENV]: '/nonexistent/libxgboost.so.0' };
    expect(() => loadXGBoost(env)).toThrow(PlatformError);
    expect(() => loadXGBoost(env)).toThrow(/not found \(tried \/nonexistent\/libxgboost\.so\.0\).*apt-get install -y libxgboost0/);
    expect(checkXGBoost(env)).toMatchObject({ ok: false, reason: expect.stringContaining('brew install xgboost') });
  });

  it('looks in the platform places', () => {
    expect(candidatePaths({}, 'linux', 'arm64')).toContain('/usr/lib/aarch64-linux-gnu/libxgboost.so.0');
    expect(candidatePaths({}, 'darwin', 'arm64')).toContain('/opt/homebrew/lib/libxgboost.dylib');
    expect(candidatePaths({ [LIBRARY_ENV]: '/x/lib.so' }, 'linux', 'x64')).toEqual(['/x/lib.so']);
  });
});
