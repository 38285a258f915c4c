package io.cairn.store.types;

import java.math.BigDecimal;
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
     * INCRBYFLOAT / HINCRBYFLOAT: Redis adds two long doubles and prints {@code %.17Lf} without
     * trailing zeros; {@link LongDouble} does exactly that (e.g. 10000 + 0.1 gives
     * "10000.09999999999999964" as in Redis). The texts are the operands as stored / sent and
     * must be valid floats (every text {@link Args#parseDouble} accepts is); the doubles are
     * ignored. Throws the NaN-or-Infinity error for infinite operands or an overflowing sum.
     */
    public static String addHuman(double current, byte[] currentText, double increment, byte[] incrementText) {
        LongDouble.Value a = LongDouble.parse(currentText);
        LongDouble.Value b = LongDouble.parse(incrementText);
        if (a == null || b == null) {
            throw Errors.notFloat();
        }
        return LongDouble.addHuman(a, b);
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
