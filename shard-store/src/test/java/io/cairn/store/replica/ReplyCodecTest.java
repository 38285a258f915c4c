package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Session headers keep several encoded replies one after another (docs/storage-format.md,
 * "Sessions"): {@link ReplyCodec#end} must find where each ends without decoding, for every kind.
 */
class ReplyCodecTest {
    static final List<Reply> KINDS = List.of(
            Reply.OK,
            new Reply.Err("ERR no"),
            Reply.integer(-7),
            new Reply.Bulk("héllo".getBytes(StandardCharsets.UTF_8)),
            Reply.NIL,
            Reply.NIL_ARRAY,
            new Reply.Arr(List.of(Reply.integer(1), new Reply.Arr(List.of(Reply.NIL, Reply.OK)))),
            new Reply.Dbl(2.5),
            new Reply.MapReply(List.of(new Reply.Bulk("k".getBytes()), Reply.integer(3))),
            new Reply.SetReply(List.of(new Reply.Bulk("a".getBytes()))),
            new Reply.Pairs(List.of(new Reply.Bulk("m".getBytes()), new Reply.Dbl(1))),
            new Reply.Verbatim("txt", "some text".getBytes(StandardCharsets.UTF_8)));

    @Test
    void endFindsTheEndOfEachReplyAmongOthers() {
        byte[] all = new byte[0];
        int[] starts = new int[KINDS.size()];
        for (int i = 0; i < KINDS.size(); i++) {
            byte[] one = ReplyCodec.encode(KINDS.get(i));
            starts[i] = all.length;
            byte[] grown = java.util.Arrays.copyOf(all, all.length + one.length);
            System.arraycopy(one, 0, grown, all.length, one.length);
            all = grown;
        }
        for (int i = 0; i < KINDS.size(); i++) {
            int end = ReplyCodec.end(all, starts[i]);
            assertThat(end).as("end of %s", KINDS.get(i)).isEqualTo(i + 1 < KINDS.size() ? starts[i + 1] : all.length);
            assertThat(ReplyCodec.decode(all, starts[i])).isEqualTo(KINDS.get(i));
        }
    }
}
