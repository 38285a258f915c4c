package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.deploy.it.RespCall;
import io.cairn.meta.map.Replica;
import io.cairn.store.node.StoreNode;
import io.cairn.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn admin add-replica | remove-replica | move-replica} against {@code cairn dev}'s
 * cluster plus a fourth store: a replica of group 1 moves from store 1 to store 4 and the data
 * stays readable through the gateway; refusals exit with 1 and say why.
 */
class AdminReplicaCommandsTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(180)
    void moveReplicaThenRefusals() throws Exception {
        try (DevCluster dev = AdminRun.devWithKeys(tmp.resolve("data"))) {
            DevCluster.Options options = dev.options();
            int port = dev.gatewayPort();
            try (StoreNode four = StoreNode.start(AdminRun.fourthStore(tmp.resolve("store-4"), options.metaAddress(),
                    Ports.freePort()))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> dev.map().store(4).isPresent());
                String meta = options.metaAddress();

                AdminRun move = AdminRun.admin(meta, "move-replica", "1", "1", "4");
                assertThat(move.code()).as("%s", move.err()).isEqualTo(Cairn.EXIT_OK);
                assertThat(move.out()).contains("group 1: voter replica added on store 4",
                        "group 1: replica on store 1 removed (map version ");
                // dev.map() follows the meta service's watch stream: it may show the removal a moment later
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        dev.map().findGroup(1).orElseThrow().replicas())
                        .containsExactly(Replica.voter(2), Replica.voter(3), Replica.voter(4)));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !dev.stores().get(0).runtime().groupIds().contains(1L));
                for (int i = 0; i < 50; i++) {
                    assertThat(RespCall.call(port, "GET", "key" + i)).isEqualTo("$" + ("value" + i).length()
                            + "\r\nvalue" + i + "\r\n");
                }

                AdminRun unknown = AdminRun.admin(meta, "add-replica", "9", "1");
                assertThat(unknown.code()).isEqualTo(Cairn.EXIT_FAILED);
                assertThat(unknown.err()).isEqualTo("cairn admin add-replica: unknown group: 9\n");
                AdminRun hosted = AdminRun.admin(meta, "add-replica", "2", "1", "--role", "observer");
                assertThat(hosted.code()).isEqualTo(Cairn.EXIT_FAILED);
                assertThat(hosted.err()).contains("store 1 already hosts a replica of group 2 (voter)");
                AdminRun belowRf = AdminRun.admin(meta, "remove-replica", "1", "2");
                assertThat(belowRf.code()).isEqualTo(Cairn.EXIT_FAILED);
                assertThat(belowRf.err()).contains("group 1 would keep 2 voters, fewer than the replication factor 3");
                AdminRun noSuch = AdminRun.admin(meta, "move-replica", "1", "1", "4");
                assertThat(noSuch.err()).contains("group 1 has no replica on store 1");
            }
        }
    }
}
