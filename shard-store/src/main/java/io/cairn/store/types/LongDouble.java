package io.cairn.store.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The x87 80-bit {@code long double} arithmetic of Redis's INCRBYFLOAT and HINCRBYFLOAT, done
 * exactly in software so every replica (and every JVM) computes Redis's digits: parsing as
 * glibc's {@code strtold} under Redis's {@code string2ld} rules, one correctly rounded addition,
 * and {@code %.17Lf} printing. A value has a 64-bit significand and a binary exponent from
 * -16445 (subnormals) to 16383.
 */
public final class LongDouble {
    /** Significand bits of the x87 extended format (the integer bit is explicit). */
    private static final int PRECISION = 64;
    /** Exponent of the least significant bit of the smallest subnormal: 2^-16445. */
    private static final int MIN_EXP = -16445;
    /** A finite value is below 2^16384. */
    private static final int MAX_BINARY_EXP = 16384;
    /** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses texts at least this long. */
    private static final int MAX_CHARS = 5 * 1024;

    /** A finite value (exact) or an infinity; NaN is never produced by parsing. */
    public static final class Value {
        /** The exact value when finite, else null. */
        final BigDecimal exact;
        /** +1 or -1 for an infinity, 0 when finite. */
        final int infinity;

        private Value(BigDecimal exact, int infinity) {
            this.exact = exact;
            this.infinity = infinity;
        }

        public boolean isInfinite() {
            return infinity != 0;
        }
    }

    private LongDouble() {
    }

    /**
     * Redis's {@code string2ld}: the whole text must be a number {@code strtold} reads — decimal
     * or hexadecimal ({@code 0x1.8p1}), "inf"/"infinity" with an optional sign, no leading
     * space, no trailing bytes, not NaN, no overflow, no nonzero value that underflows to 0.
     * Returns null when Redis would reply "not a valid float".
     */
    public static Value parse(byte[] text) {
        if (text.length == 0 || text.length >= MAX_CHARS) {
            return null;
        }
        String s = new String(text, StandardCharsets.ISO_8859_1);
        int i = 0;
        boolean neg = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            neg = s.charAt(0) == '-';
            i = 1;
        }
        String body = s.substring(i);
        if (body.equalsIgnoreCase("inf") || body.equalsIgnoreCase("infinity")) {
            return new Value(null, neg ? -1 : 1);
        }
        BigDecimal exact;
        if (body.length() > 1 && body.charAt(0) == '0' && (body.charAt(1) == 'x' || body.charAt(1) == 'X')) {
            exact = parseHex(body.substring(2));
        } else {
            exact = parseDecimal(body);
        }
        if (exact == null) {
            return null;
        }
        if (exact.signum() == 0) {
            return new Value(BigDecimal.ZERO, 0);
        }
        Value v = round(neg ? exact.negate() : exact);
        if (v.isInfinite() || v.exact.signum() == 0) {
            return null; // ERANGE: overflow or underflow to zero
        }
        return v;
    }

    /** Digits, an optional '.', digits (at least one digit in all), optional e[+-]digits. */
    private static BigDecimal parseDecimal(String s) {
        int n = s.length();
        int i = 0;
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return null;
        }
        String mantissa = s.substring(0, i);
        long exp = 0;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            boolean eneg = false;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                eneg = s.charAt(i) == '-';
                i++;
            }
            int start = i;
            while (i < n && isDigit(s.charAt(i))) {
                // saturate: anything this large overflows or underflows anyway
                exp = Math.min(exp * 10 + (s.charAt(i) - '0'), 1_000_000_000L);
                i++;
            }
            if (i == start) {
                return null;
            }
            if (eneg) {
                exp = -exp;
            }
        }
        if (i != n) {
            return null;
        }
        BigDecimal m = new BigDecimal(mantissa.endsWith(".") ? mantissa.substring(0, mantissa.length() - 1)
                : mantissa.startsWith(".") ? "0" + mantissa : mantissa);
        if (m.signum() == 0) {
            return BigDecimal.ZERO;
        }
        long adjusted = m.precision() - (long) m.scale() - 1 + exp;
        if (adjusted > 5000) {
            return OVERFLOW;
        }
        if (adjusted < -5000) {
            return UNDERFLOW;
        }
        return m.scaleByPowerOfTen((int) exp);
    }

    /** Hex digits with an optional '.', at least one digit, optional p[+-]decimal exponent. */
    private static BigDecimal parseHex(String s) {
        int n = s.length();
        int i = 0;
        BigInteger mant = BigInteger.ZERO;
        int digits = 0;
        long fracDigits = 0;
        boolean dot = false;
        while (i < n) {
            char c = s.charAt(i);
            int d = Character.digit(c, 16);
            if (d >= 0 && c < 128) {
                mant = mant.shiftLeft(4).or(BigInteger.valueOf(d));
                digits++;
                if (dot) {
                    fracDigits++;
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
            i++;
        }
        if (digits == 0) {
            return null; // "0x" alone: strtold reads "0" and stops at 'x'
        }
        long exp = 0;
        if (i < n && (s.charAt(i) == 'p' || s.charAt(i) == 'P')) {
            i++;
            boolean eneg = false;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                eneg = s.charAt(i) == '-';
                i++;
            }
            int start = i;
            while (i < n && isDigit(s.charAt(i))) {
                exp = Math.min(exp * 10 + (s.charAt(i) - '0'), 1_000_000_000L);
                i++;
            }
            if (i == start) {
                return null;
            }
            if (eneg) {
                exp = -exp;
            }
        }
        if (i != n) {
            return null;
        }
        if (mant.signum() == 0) {
            return BigDecimal.ZERO;
        }
        long binExp = exp - 4 * fracDigits;
        long top = mant.bitLength() + binExp;
        if (top > MAX_BINARY_EXP + 1) {
            return OVERFLOW;
        }
        if (top < MIN_EXP - 1) {
            return UNDERFLOW;
        }
        return exact(mant, (int) binExp);
    }

    /** Markers far outside the finite range, rounded to infinity or zero by {@link #round}. */
    private static final BigDecimal OVERFLOW = BigDecimal.ONE.scaleByPowerOfTen(6000);
    private static final BigDecimal UNDERFLOW = BigDecimal.ONE.scaleByPowerOfTen(-6000);

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code mant * 2^exp}, exactly. */
    private static BigDecimal exact(BigInteger mant, int exp) {
        if (exp >= 0) {
            return new BigDecimal(mant.shiftLeft(exp));
        }
        return new BigDecimal(mant.multiply(BigInteger.valueOf(5).pow(-exp)), -exp);
    }

    /** The nearest long double (ties to even), or an infinity past the largest finite value. */
    static Value round(BigDecimal x) {
        int sign = x.signum();
        if (sign == 0) {
            return new Value(BigDecimal.ZERO, 0);
        }
        BigDecimal a = x.abs();
        // a = p / q exactly
        BigInteger p;
        BigInteger q;
        if (a.scale() > 0) {
            p = a.unscaledValue();
            q = BigInteger.TEN.pow(a.scale());
        } else {
            p = a.unscaledValue().multiply(BigInteger.TEN.pow(-a.scale()));
            q = BigInteger.ONE;
        }
        // choose e so that p / (q 2^e) lies in [2^63, 2^64)
        int e = p.bitLength() - q.bitLength() - PRECISION;
        while (compareScaled(p, q, e, PRECISION) >= 0) {
            e++;
        }
        while (compareScaled(p, q, e, PRECISION - 1) < 0) {
            e--;
        }
        if (e < MIN_EXP) {
            e = MIN_EXP;
        }
        BigInteger num = e >= 0 ? p : p.shiftLeft(-e);
        BigInteger den = e >= 0 ? q.shiftLeft(e) : q;
        BigInteger[] qr = num.divideAndRemainder(den);
        BigInteger m = qr[0];
        int half = qr[1].shiftLeft(1).compareTo(den);
        if (half > 0 || (half == 0 && m.testBit(0))) {
            m = m.add(BigInteger.ONE);
        }
        if (m.bitLength() > PRECISION) {
            m = m.shiftRight(1);
            e++;
        }
        if (m.bitLength() + e > MAX_BINARY_EXP) {
            return new Value(null, sign);
        }
        BigDecimal v = exact(m, e);
        return new Value(sign < 0 ? v.negate() : v, 0);
    }

    /** Compares {@code p / (q 2^e)} with {@code 2^bits}. */
    private static int compareScaled(BigInteger p, BigInteger q, int e, int bits) {
        int shift = e + bits;
        return shift >= 0 ? p.compareTo(q.shiftLeft(shift)) : p.shiftLeft(-shift).compareTo(q);
    }

    /**
     * {@code a + b} rounded to a long double and printed as Redis's {@code ld2string(...,
     * LD_STR_HUMAN)}: {@code %.17Lf} without trailing zeros or '.', and "-0" as "0". Throws
     * "increment would produce NaN or Infinity" when the sum is not finite.
     */
    public static String addHuman(Value a, Value b) {
        if (a.isInfinite() || b.isInfinite()) {
            throw new RedisException(Errors.NAN_OR_INF);
        }
        Value sum = round(a.exact.add(b.exact));
        if (sum.isInfinite()) {
            throw new RedisException(Errors.NAN_OR_INF);
        }
        return Doubles.human(sum.exact);
    }
}
