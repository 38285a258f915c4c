package io.cairn.store.types;

import java.nio.charset.StandardCharsets;

/** Argument parsing with Redis's rules and error texts. */
public final class Args {
    private Args() {
    }

    /** Case-insensitive match of an ASCII option name ({@code lower} must be lower case). */
    public static boolean is(byte[] arg, String lower) {
        if (arg.length != lower.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            int c = arg[i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] bytes(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether {@code arg} is {@code lowerAscii} (a command name, lower case ASCII letters) in any
     * case, without building a String.
     */
    public static boolean nameIs(byte[] arg, String lowerAscii) {
        if (arg.length != lowerAscii.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            if ((arg[i] | 0x20) != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Redis's {@code string2ll}: optional '-', digits, no leading zeros (but "0"), no spaces, no
     * '+', within a signed 64-bit range. Returns false when the text is not such an integer.
     */
    public static boolean isStrictLong(byte[] b) {
        return parseStrict(b) != null;
    }

    private static Long parseStrict(byte[] b) {
        int n = b.length;
        if (n == 0 || n > 20) {
            return null;
        }
        if (n == 1 && b[0] == '0') {
            return 0L;
        }
        int i = 0;
        boolean neg = false;
        if (b[0] == '-') {
            neg = true;
            i = 1;
            if (n == 1) {
                return null;
            }
        }
        if (b[i] < '1' || b[i] > '9') {
            return null;
        }
        long v = 0;
        for (; i < n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // accumulate negatively so Long.MIN_VALUE fits
            if (v < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) {
                return null;
            }
            v = -v;
        }
        return v;
    }

    /** A strict integer argument; else "ERR value is not an integer or out of range". */
    public static long parseLong(byte[] b) {
        Long v = parseStrict(b);
        if (v == null) {
            throw Errors.notInteger();
        }
        return v;
    }

    /** A strict integer argument; else the given error text. */
    public static long parseLong(byte[] b, String errorText) {
        Long v = parseStrict(b);
        if (v == null) {
            throw new RedisException(errorText);
        }
        return v;
    }

    /** Like Redis's {@code string2d} (strtod, no leading space, no trailing garbage, no NaN). */
    public static boolean isDouble(byte[] b) {
        return parseDoubleOrNull(b) != null;
    }

    public static double parseDouble(byte[] b) {
        Double d = parseDoubleOrNull(b);
        if (d == null) {
            throw Errors.notFloat();
        }
        return d;
    }

    public static double parseDouble(byte[] b, String errorText) {
        Double d = parseDoubleOrNull(b);
        if (d == null) {
            throw new RedisException(errorText);
        }
        return d;
    }

    static Double parseDoubleOrNull(byte[] b) {
        if (b.length == 0 || b.length > 400) {
            return null;
        }
        String s = new String(b, StandardCharsets.ISO_8859_1);
        String body = s;
        boolean neg = false;
        if (body.charAt(0) == '+' || body.charAt(0) == '-') {
            neg = body.charAt(0) == '-';
            body = body.substring(1);
        }
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        double d;
        if (lower.startsWith("0x")) {
            // strtod takes C99 hex floats ("0x10", "0x1p3", "0x.8"); Java needs the 'p' exponent
            if (!lower.matches("0x([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)(p[+-]?[0-9]+)?")) {
                return null;
            }
            d = Double.parseDouble((neg ? "-" : "") + (lower.contains("p") ? lower : lower + "p0"));
            if (Double.isInfinite(d)) {
                return null; // strtod ERANGE overflow
            }
            if (d == 0.0 && lower.split("p")[0].substring(2).matches(".*[1-9a-f].*")) {
                return null; // strtod ERANGE underflow to zero ("0x1p-99999")
            }
            return d;
        }
        if (!isDecimal(body)) {
            return null;
        }
        d = Double.parseDouble(s);
        if (Double.isInfinite(d)) {
            return null; // strtod ERANGE overflow
        }
        if (d == 0.0 && hasNonZeroDigit(body)) {
            return null; // strtod ERANGE underflow to zero
        }
        return d;
    }

    private static boolean isDecimal(String s) {
        int i = 0;
        int n = s.length();
        int digits = 0;
        while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int ed = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                ed++;
            }
            if (ed == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean hasNonZeroDigit(String body) {
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == 'e' || c == 'E') {
                break;
            }
            if (c >= '1' && c <= '9') {
                return true;
            }
        }
        return false;
    }
}
