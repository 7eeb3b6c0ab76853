describe('toolchain', () => {
  it('runs on Node 22 or later, as Lambda nodejs22.x does', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(22);
  });
});
