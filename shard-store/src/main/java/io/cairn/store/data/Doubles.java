package io.cairn.store.data;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/** Number formatting exactly as Redis 7.0 prints it. */
public final class Doubles {
    private static final MathContext G17 = new MathContext(17, RoundingMode.HALF_EVEN);

    private Doubles() {
    }

    /** C's {@code printf("%.17g")}, with "inf"/"-inf" (Redis's reply for doubles and scores). */
    public static String g17(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0.0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal bd = new BigDecimal(d).round(G17);
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 17) {
            String digits = bd.unscaledValue().abs().toString();
            digits = stripZeros(digits);
            StringBuilder sb = new StringBuilder();
            if (d < 0) {
                sb.append('-');
            }
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int ax = Math.abs(exp);
            if (ax < 10) {
                sb.append('0');
            }
            sb.append(ax);
            return sb.toString();
        }
        String plain = bd.setScale(Math.max(0, 16 - exp), RoundingMode.HALF_EVEN).toPlainString();
        if (plain.indexOf('.') >= 0) {
            plain = stripZeros(plain);
            if (plain.endsWith(".")) {
                plain = plain.substring(0, plain.length() - 1);
            }
        }
        return plain;
    }

    private static String stripZeros(String s) {
        int end = s.length();
        while (end > 1 && s.charAt(end - 1) == '0') {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * INCRBYFLOAT / HINCRBYFLOAT: Redis parses both operands with {@code strtold}, adds them as
     * x87 80-bit long doubles and prints {@code %.17Lf} without trailing zeros. Emulated exactly:
     * each operand and the sum are rounded to a 64-bit significand (ties to even), then printed
     * from the exact binary value, so "12345.6" gives Redis's "12345.59999999999999964". Throws
     * the NaN-or-Infinity error for infinite operands.
     */
    public static String addHuman(double current, byte[] currentText, double increment, byte[] incrementText) {
        if (Double.isInfinite(current) || Double.isInfinite(increment)) {
            throw new RedisException(Errors.NAN_OR_INF);
        }
        BigDecimal a = toLongDouble(new BigDecimal(Args.str(currentText).trim()));
        BigDecimal b = toLongDouble(new BigDecimal(Args.str(incrementText)));
        return human(toLongDouble(a.add(b)));
    }

    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /**
     * {@code x} rounded to the nearest x87 long double (64-bit significand, ties to even), as an
     * exact decimal. The exponent range (about 10^±4932) is not checked: operands come from
     * {@link Args#parseDouble}, within double range.
     */
    static BigDecimal toLongDouble(BigDecimal x) {
        if (x.signum() == 0) {
            return BigDecimal.ZERO;
        }
        // |x| = num / den exactly
        BigInteger num = x.unscaledValue().abs();
        BigInteger den = BigInteger.ONE;
        if (x.scale() > 0) {
            den = BigInteger.TEN.pow(x.scale());
        } else {
            num = num.multiply(BigInteger.TEN.pow(-x.scale()));
        }
        // find k with 2^63 <= |x| * 2^k < 2^64
        int k = 63 - (num.bitLength() - den.bitLength());
        BigInteger[] qr;
        while (true) {
            BigInteger n = k >= 0 ? num.shiftLeft(k) : num;
            BigInteger d = k >= 0 ? den : den.shiftLeft(-k);
            qr = n.divideAndRemainder(d);
            if (qr[0].compareTo(TWO_64) >= 0) {
                k--;
            } else if (qr[0].compareTo(TWO_63) < 0) {
                k++;
            } else {
                int half = qr[1].shiftLeft(1).compareTo(d);
                if (half > 0 || (half == 0 && qr[0].testBit(0))) {
                    qr[0] = qr[0].add(BigInteger.ONE);
                }
                break;
            }
        }
        BigInteger m = qr[0];
        // |x| ~ m * 2^-k
        BigDecimal v = k >= 0
                ? new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(k)), k)
                : new BigDecimal(m.shiftLeft(-k));
        return x.signum() < 0 ? v.negate() : v;
    }

    /** {@code %.17Lf} without trailing zeros (and without a trailing '.'). */
    public static String human(BigDecimal v) {
        String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            s = stripZeros(s);
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        if (s.equals("-0")) {
            s = "0";
        }
        return s;
    }
}
