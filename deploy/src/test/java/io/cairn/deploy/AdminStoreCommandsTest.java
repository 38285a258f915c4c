package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.deploy.it.RespCall;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.store.node.StoreNode;
import io.cairn.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn admin add-store | remove-store} against {@code cairn dev}'s cluster: a fourth store
 * is taken into use (two replicas move onto it), store 1 is removed (its replicas move off it
 * first), the data stays readable through the gateway; refusals exit with 1 and say why.
 */
class AdminStoreCommandsTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(180)
    void addStoreThenRemoveStoreThenRefusals() throws Exception {
        try (DevCluster dev = AdminRun.devWithKeys(tmp.resolve("data"))) {
            DevCluster.Options options = dev.options();
            int port = dev.gatewayPort();
            int servicePort = Ports.freePort();
            try (StoreNode four = StoreNode.start(AdminRun.fourthStore(tmp.resolve("store-4"), options.metaAddress(),
                    servicePort))) {
                String meta = options.metaAddress();
                String address = "127.0.0.1:" + servicePort;

                // 3 groups x 3 replicas on stores 1-3: the fourth takes one from store 1 and one from store 2.
                AdminRun add = AdminRun.admin(meta, "add-store", address);
                assertThat(add.code()).as("%s", add.err()).isEqualTo(Cairn.EXIT_OK);
                assertThat(add.out()).contains("group 1: voter replica moved from store 1 to store 4\n",
                        "group 2: voter replica moved from store 2 to store 4\n",
                        "store 4 (" + address + ") added, 2 replicas moved (map version ");
                // the meta replica's map: the gateway's view (dev.map()) follows it a moment later
                assertThat(dev.meta().map().findGroup(1).orElseThrow().replicaOn(4)).isPresent();

                AdminRun remove = AdminRun.admin(meta, "remove-store", "1");
                assertThat(remove.code()).as("%s", remove.err()).isEqualTo(Cairn.EXIT_OK);
                assertThat(remove.out()).contains("group 2: voter replica moved from store 1 to store 2\n",
                        "group 3: voter replica moved from store 1 to store 4\n",
                        "store 1 removed, 2 replicas moved (map version ");
                assertThat(dev.meta().map().store(1).orElseThrow().state()).isEqualTo(StoreState.REMOVED);
                for (GroupInfo g : dev.meta().map().groups()) {
                    assertThat(g.replicaOn(1)).isEmpty();
                    assertThat(g.voterCount()).isEqualTo(3);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> dev.stores().get(0).runtime().groupIds().isEmpty());
                for (int i = 0; i < 50; i++) {
                    String key = "key" + i;
                    await().atMost(Duration.ofSeconds(30)).until(() -> RespCall.call(port, "GET", key)
                            .equals("$" + ("value" + key.substring(3)).length() + "\r\nvalue" + key.substring(3) + "\r\n"));
                }

                AdminRun again = AdminRun.admin(meta, "remove-store", "1");
                assertThat(again.code()).as("%s", again.err()).isEqualTo(Cairn.EXIT_OK);
                assertThat(again.out()).startsWith("store 1 removed, 0 replicas moved");
                AdminRun tooFew = AdminRun.admin(meta, "remove-store", "2");
                assertThat(tooFew.code()).isEqualTo(Cairn.EXIT_FAILED);
                assertThat(tooFew.err()).isEqualTo("cairn admin remove-store: cannot remove store 2: group 1 has 3"
                        + " replicas and only 2 other stores would be left [3, 4]\n");
                AdminRun nobody = AdminRun.admin(meta, "add-store", "127.0.0.1:1", "--wait", "1");
                assertThat(nobody.code()).isEqualTo(Cairn.EXIT_FAILED);
                assertThat(nobody.err()).startsWith("cairn admin add-store: no store registered with service address"
                        + " 127.0.0.1:1 within 1000 ms");
                AdminRun usage = AdminRun.admin(meta, "add-store", "nohost");
                assertThat(usage.code()).isEqualTo(Cairn.EXIT_USAGE);
                assertThat(usage.err()).contains("ADDR: nohost (expected: host:port)");
            }
        }
    }
}
