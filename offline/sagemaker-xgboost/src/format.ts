// Number formatting as the container's Python prints it, so answers and
// parameters match byte for byte.

/**
 * Python's repr() of a float: shortest round-trip digits (as JavaScript's),
 * but fixed notation only for decimal exponents -4..15, exponents with a sign
 * and two digits, and a '.0' on integral values: 3.0, 1e-05, 1e+16.
 */
export function pyRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${rest}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integer = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${integer}.${fraction || '0'}`;
}

/** Python's f'{x:.5f}' for the per-round metric lines. */
export function fixed5(value: number): string {
  return Number.isNaN(value) ? 'nan' : value.toFixed(5);
}
