package io.cairn.store.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every reply kind against the literal bytes Redis 7.0 writes, in RESP2 and RESP3. */
class RespEncoderTest {

    private static String enc(Reply r, int protocol) {
        return new String(RespEncoder.encode(r, protocol), StandardCharsets.UTF_8);
    }

    private static void both(Reply r, String resp2, String resp3) {
        assertThat(enc(r, 2)).as("RESP2 of %s", r).isEqualTo(resp2);
        assertThat(enc(r, 3)).as("RESP3 of %s", r).isEqualTo(resp3);
    }

    private static Reply bulk(String s) {
        return Reply.bulk(s);
    }

    /** Redis 7.0 INFO / CLIENT LIST: a bulk in RESP2, {@code =len\r\ntxt:...} in RESP3. */
    @Test
    void verbatim() {
        both(Reply.Verbatim.txt("# Keyspace\r\n"), "$12\r\n# Keyspace\r\n\r\n",
                "=16\r\ntxt:# Keyspace\r\n\r\n");
        both(Reply.Verbatim.txt(""), "$0\r\n\r\n", "=4\r\ntxt:\r\n");
        assertThatThrownBy(() -> new Reply.Verbatim("text", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scalars() {
        both(Reply.OK, "+OK\r\n", "+OK\r\n");
        both(new Reply.Status("PONG"), "+PONG\r\n", "+PONG\r\n");
        both(new Reply.Err("ERR syntax error"), "-ERR syntax error\r\n", "-ERR syntax error\r\n");
        both(new Reply.Err("ERR bad\r\nline"), "-ERR bad  line\r\n", "-ERR bad  line\r\n");
        both(Reply.integer(0), ":0\r\n", ":0\r\n");
        both(Reply.integer(-1), ":-1\r\n", ":-1\r\n");
        both(Reply.integer(1024), ":1024\r\n", ":1024\r\n");
        both(Reply.integer(1025), ":1025\r\n", ":1025\r\n");
        both(Reply.integer(-2), ":-2\r\n", ":-2\r\n");
        both(Reply.integer(Long.MIN_VALUE), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
        both(bulk("hello"), "$5\r\nhello\r\n", "$5\r\nhello\r\n");
        both(bulk(""), "$0\r\n\r\n", "$0\r\n\r\n");
        both(new Reply.Bulk(new byte[] {0, '\r', '\n', (byte) 0xff}), "$4\r\n\0\r\n\uFFFD\r\n",
                "$4\r\n\0\r\n\uFFFD\r\n");
    }

    @Test
    void binaryBulkIsKeptByteForByte() {
        byte[] v = {0, '\r', '\n', (byte) 0xff};
        byte[] out = RespEncoder.encode(new Reply.Bulk(v), 2);
        assertThat(out).containsExactly('$', '4', '\r', '\n', 0, '\r', '\n', (byte) 0xff, '\r', '\n');
    }

    @Test
    void nils() {
        both(Reply.NIL, "$-1\r\n", "_\r\n");
        both(Reply.NIL_ARRAY, "*-1\r\n", "_\r\n");
        both(new Reply.Arr(List.of(Reply.NIL, bulk("a"))), "*2\r\n$-1\r\n$1\r\na\r\n", "*2\r\n_\r\n$1\r\na\r\n");
    }

    @Test
    void doubles() {
        both(new Reply.Dbl(1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
        both(new Reply.Dbl(3.0), "$1\r\n3\r\n", ",3\r\n");
        both(new Reply.Dbl(0.1), "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n");
        both(new Reply.Dbl(Double.POSITIVE_INFINITY), "$3\r\ninf\r\n", ",inf\r\n");
        both(new Reply.Dbl(Double.NEGATIVE_INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n");
        both(new Reply.Dbl(1e20), "$5\r\n1e+20\r\n", ",1e+20\r\n");
        both(new Reply.Dbl(-2.5), "$4\r\n-2.5\r\n", ",-2.5\r\n");
    }

    @Test
    void aggregates() {
        both(Reply.EMPTY_ARRAY, "*0\r\n", "*0\r\n");
        both(new Reply.Arr(List.of(bulk("a"), Reply.integer(7))), "*2\r\n$1\r\na\r\n:7\r\n", "*2\r\n$1\r\na\r\n:7\r\n");
        // HGETALL
        both(new Reply.MapReply(List.of(bulk("f1"), bulk("v1"), bulk("f2"), bulk("v2"))),
                "*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n",
                "%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n");
        both(new Reply.MapReply(List.of()), "*0\r\n", "%0\r\n");
        // SMEMBERS
        both(new Reply.SetReply(List.of(bulk("x"), bulk("y"))), "*2\r\n$1\r\nx\r\n$1\r\ny\r\n",
                "~2\r\n$1\r\nx\r\n$1\r\ny\r\n");
        both(new Reply.SetReply(List.of()), "*0\r\n", "~0\r\n");
        // ZRANGE ... WITHSCORES
        both(new Reply.Pairs(List.of(bulk("a"), new Reply.Dbl(1), bulk("b"), new Reply.Dbl(2.5))),
                "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n",
                "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
        both(new Reply.Pairs(List.of()), "*0\r\n", "*0\r\n");
        // nested: SCAN's cursor and keys
        both(new Reply.Arr(List.of(bulk("0"), new Reply.Arr(List.of(bulk("k"))))),
                "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n");
        both(new Reply.Arr(List.of(new Reply.MapReply(List.of(bulk("k"), Reply.NIL)))),
                "*1\r\n*2\r\n$1\r\nk\r\n$-1\r\n", "*1\r\n%1\r\n$1\r\nk\r\n_\r\n");
    }

    @Test
    void frequentRepliesAreShared() {
        assertThat(RespEncoder.encode(Reply.OK, 2)).isSameAs(RespEncoder.encode(Reply.OK, 3));
        assertThat(RespEncoder.encode(new Reply.Status("OK"), 2)).isSameAs(RespEncoder.OK);
        assertThat(RespEncoder.encode(Reply.integer(42), 2)).isSameAs(RespEncoder.encode(new Reply.Int(42), 3));
        assertThat(RespEncoder.encode(Reply.NIL, 2)).isSameAs(RespEncoder.NIL_BULK);
        assertThat(RespEncoder.encode(Reply.NIL_ARRAY, 2)).isSameAs(RespEncoder.NIL_ARRAY);
        assertThat(RespEncoder.encode(Reply.NIL, 3)).isSameAs(RespEncoder.NULL3);
        assertThat(RespEncoder.encode(Reply.integer(100_000), 2)).isNotSameAs(RespEncoder.encode(Reply.integer(100_000), 2));
    }

    @Test
    void protocolMustBeTwoOrThree() {
        assertThatThrownBy(() -> RespEncoder.encode(Reply.OK, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RespEncoder.encode(Reply.OK, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
