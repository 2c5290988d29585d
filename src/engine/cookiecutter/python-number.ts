/**
 * Python's float formatting (`'%.2f' % x`, `'{:e}'.format(x)`, `str(x)`), digit for digit.
 * Python rounds the exact binary value half to even; JavaScript's toFixed rounds ties up
 * (`(0.125).toFixed(2)` is 0.13, Python's `'%.2f' % 0.125` is 0.12), so the digits here come
 * from the double's exact decimal expansion and are rounded on that.
 */

/** A finite, non-negative number as exact decimal digits: value = 0.DIGITS × 10^point. */
interface Decimal {
  readonly digits: string;
  readonly point: number;
}

function exactDecimal(value: number): Decimal {
  if (value === 0) return { digits: '0', point: 1 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  if (exponentBits !== 0) mantissa |= 1n << 52n;
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  // value = mantissa × 2^exponent; for a negative exponent, × 5^k / 10^k.
  const digits = exponent >= 0 ? (mantissa << BigInt(exponent)).toString() : (mantissa * 5n ** BigInt(-exponent)).toString();
  const point = exponent >= 0 ? digits.length : digits.length + exponent;
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, point };
}

/** Rounds to `keep` digits (half to even on the exact value); may carry into a new digit. */
function roundDigits(decimal: Decimal, keep: number): Decimal {
  const { digits, point } = decimal;
  if (keep < 0) return { digits: '0', point };
  if (digits.length <= keep) return { digits: digits.padEnd(keep, '0'), point };
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const last = keep > 0 ? Number(digits[keep - 1]) : 0;
  const roundUp = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || last % 2 === 1));
  if (!roundUp) return { digits: head, point };
  const bumped = (BigInt(head || '0') + 1n).toString().padStart(keep, '0');
  return bumped.length > keep ? { digits: bumped.slice(0, keep || 1), point: point + 1 } : { digits: bumped, point };
}

/** `%f`: `precision` digits after the point. */
export function fixed(value: number, precision: number, alternate = false): string {
  const decimal = exactDecimal(value);
  const rounded = roundDigits(decimal, decimal.point + precision);
  const whole = rounded.digits.length === 0 ? '0' : rounded.digits;
  const intDigits = rounded.point > 0 ? whole.slice(0, rounded.point).padEnd(rounded.point, '0') : '0';
  const frac = rounded.point >= 0 ? whole.slice(rounded.point) : '0'.repeat(-rounded.point) + whole;
  const fraction = frac.padEnd(precision, '0').slice(0, precision);
  return precision > 0 || alternate ? `${intDigits.replace(/^0+(?=\d)/, '')}.${fraction}` : intDigits.replace(/^0+(?=\d)/, '');
}

/** `%e`: one digit, the point, `precision` digits, and an exponent of at least two digits. */
export function exponent(value: number, precision: number, alternate = false, upper = false): string {
  const { mantissa, power } = scientific(value, precision + 1);
  const body = precision > 0 || alternate ? `${mantissa[0]}.${mantissa.slice(1)}` : mantissa;
  return `${body}${upper ? 'E' : 'e'}${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
}

function scientific(value: number, significant: number): { mantissa: string; power: number } {
  if (value === 0) return { mantissa: '0'.repeat(significant), power: 0 };
  const rounded = roundDigits(exactDecimal(value), significant);
  return { mantissa: rounded.digits, power: rounded.point - 1 };
}

/** `%g`: `precision` significant digits, fixed or exponent by the exponent's size. */
export function general(value: number, precision: number, alternate = false, upper = false): string {
  const p = precision === 0 ? 1 : precision;
  const { power } = scientific(value, p);
  const text = power >= -4 && power < p ? fixed(value, p - 1 - power, alternate) : exponent(value, p - 1, alternate, upper);
  return alternate ? text : stripZeros(text);
}

function stripZeros(text: string): string {
  const [body, exp = ''] = text.split(/(?=[eE])/);
  return (body!.includes('.') ? body!.replace(/\.?0+$/, '') : body!) + exp;
}

/** `repr(x)`/`str(x)` of a float: the shortest digits that read back, laid out as Python does. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [mantissa, exp] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const power = Number(exp);
  if (power < -4 || power >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${body}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
  }
  if (power < 0) return `${sign}0.${'0'.repeat(-power - 1)}${digits}`;
  const whole = digits.slice(0, power + 1).padEnd(power + 1, '0');
  const fraction = digits.slice(power + 1);
  return `${sign}${whole}.${fraction || '0'}`;
}

/** `format(x, '.3')` (no type): like `g`, but at least one digit after the point, as repr. */
export function generalRepr(value: number, precision: number | undefined, alternate = false): string {
  if (precision === undefined) return floatRepr(value).replace(/^-/, '');
  const p = precision === 0 ? 1 : precision;
  const { power } = scientific(value, p);
  if (power >= -4 && power < p) {
    const text = fixed(value, p - 1 - power, alternate);
    const stripped = alternate ? text : stripZeros(text);
    return stripped.includes('.') ? stripped : `${stripped}.0`;
  }
  return alternate ? exponent(value, p - 1, true) : stripZeros(exponent(value, p - 1));
}
