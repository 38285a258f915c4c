package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The long double emulation behind INCRBYFLOAT: every expected text here is what
 * redis-server 7.0.15 (x86-64, glibc) replied to {@code SET x a; INCRBYFLOAT x b}.
 */
class LongDoubleTest {

    private static String add(String a, String b) {
        LongDouble.Value x = LongDouble.parse(Args.bytes(a));
        LongDouble.Value y = LongDouble.parse(Args.bytes(b));
        assertThat(x).as(a).isNotNull();
        assertThat(y).as(b).isNotNull();
        return LongDouble.addHuman(x, y);
    }

    private static boolean valid(String s) {
        return LongDouble.parse(Args.bytes(s)) != null;
    }

    // string2ld: strtold syntax, no spaces, no NaN, no overflow, no underflow to zero
    @Test
    void parsesWhatRedisString2ldAccepts() {
        for (String ok : new String[] {"0", "-0", "+0", "1.", ".1", "1.e2", "+.5e1", "00012", "0x10", "-0x10", "0X1P1",
            "0x.8", "0x1.8p1", "inf", "+Infinity", "-INFINITY", "3e-4951", "4e-4951", "1e4932", "0e999999999",
            "0x1p-16445", "0x1.8p-16446", "0x1p16383", "0xffffffffffffffffp16320", "1" + "0".repeat(4000)}) {
            assertThat(valid(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {"", " 1", "1 ", "+-1", ".", "-.", "1e", "5e+", "0x", "0x.", "0x1p", "0x1p+",
            "nan", "NaN(1)", "infinit", "1_0", "1,5", "1e-4951", "1e-4960", "1e4933", "1.2e4932",
            "1e-99999999999999999999", "1e99999999999999999999", "0x1p-16446", "0x1p16384",
            "0x1ffffffffffffffffp16319", "0." + "0".repeat(5100) + "1", "1".repeat(5120)}) {
            assertThat(valid(bad)).as(bad).isFalse();
        }
    }

    // the sum is rounded to a 64-bit significand, then printed %.17Lf (ties to even) trimmed
    @Test
    void addsAndPrintsAsRedis() {
        assertThat(add("10.5", "0.1")).isEqualTo("10.6");
        assertThat(add("0.1", "0.1")).isEqualTo("0.2");
        assertThat(add("0.1", "-1")).isEqualTo("-0.9");
        assertThat(add("10000", "0.1")).isEqualTo("10000.09999999999999964");
        assertThat(add("165576.01180671016", "-0.570603638328676554536400544748")).isEqualTo("165575.44120307183132468");
        assertThat(add("-163655.69725848106", "102094.50758277159")).isEqualTo("-61561.18967570947000212");
        assertThat(add("0.000003814697265625", "0")).isEqualTo("0.00000381469726562");
        assertThat(add("0.000011444091796875", "0")).isEqualTo("0.00001144409179688");
        assertThat(add("1", "0.000000000000000005")).isEqualTo("1");
        assertThat(add("1", "0.000000000000000006")).isEqualTo("1.00000000000000001");
        assertThat(add("18446744073709551617", "0")).isEqualTo("18446744073709551616");
        assertThat(add("0xFFFFFFFFFFFFFFFF8p-4", "0")).isEqualTo("18446744073709551616");
        assertThat(add("0x1.fffffffffffffffffffp0", "0")).isEqualTo("2");
        assertThat(add("3.0000000000000000001", "0")).isEqualTo("3");
        assertThat(add("3e-4951", "0.1")).isEqualTo("0.1");
        assertThat(add("-0", "0")).isEqualTo("0");
        assertThat(add("-0.00000000000000000001", "0")).isEqualTo("0");
        String max = add("1.18973149535723176502e+4932", "0");
        assertThat(max).hasSize(4933).startsWith("118973149535723176502126385303097020516906332229462420044")
                .endsWith("419552086811989770240");
        assertThat(add("0x1p16383", "0")).hasSize(4932).endsWith("223513645334982033408");
    }

    @Test
    void infiniteOperandsOrSumAreRefused() {
        assertThatThrownBy(() -> add("inf", "1")).hasMessage(Errors.NAN_OR_INF);
        assertThatThrownBy(() -> add("1", "-inf")).hasMessage(Errors.NAN_OR_INF);
        assertThatThrownBy(() -> add("1.18973149535723176502e+4932", "1.18973149535723176502e+4932"))
                .hasMessage(Errors.NAN_OR_INF);
        // Doubles.addHuman (HINCRBYFLOAT's entry point) gives the same digits
        assertThat(Doubles.addHuman(10000, Args.bytes("10000"), 0.1, Args.bytes("0.1")))
                .isEqualTo("10000.09999999999999964");
    }
}
